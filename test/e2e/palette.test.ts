import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const base = inject("e2eBase");
const databaseUrl = inject("e2eDatabaseUrl");
const adminToken = inject("e2eAdminToken");
/** "" when no Chromium or Chrome is installed: every test below is then skipped (setup.ts said why). */
const browserPath = inject("browserPath");
const screenshots = path.join(root, "docs/screenshots");
const artifacts = path.join(root, "test-artifacts/e2e");
/** A MovieLens user with many ratings in the 1,200-movie slice (Toy Story among them). */
const USER = 1;

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** What the page logged and which requests failed, saved beside a failure's screenshot. */
let journal: string[] = [];

beforeAll(async () => {
  if (!browserPath) return;
  browser = await chromium.launch({ executablePath: browserPath, headless: true });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  if (!browserPath) return;
  context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  journal = [];
  page.on("console", (m) => journal.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => journal.push(`pageerror: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) journal.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => journal.push(`failed ${r.method()} ${r.url()}: ${r.failure()}`));
});

afterEach(async ({ task }) => {
  if (!browserPath) return;
  if (task.result?.state === "fail") {
    const name = task.name.replace(/[^\w.-]+/g, "-").replace(/^-|-$/g, "");
    mkdirSync(artifacts, { recursive: true });
    await page
      .screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
      .catch(() => {});
    writeFileSync(path.join(artifacts, `${name}.log`), `${journal.join("\n")}\n`);
  }
  await context.close();
});

// --- what a person does --------------------------------------------------

async function signIn(userId = USER): Promise<void> {
  await page.goto("/");
  await page.getByLabel("Demo user id", { exact: true }).fill(String(userId));
  await page.getByRole("button", { name: "Sign in (demo)", exact: true }).click();
  await page.getByText(`Signed in as user ${userId} (demo)`).waitFor();
}

function palette(): Locator {
  return page.getByRole("dialog", { name: "Search movies", exact: true });
}

/** The palette's text field, whichever text role it has (combobox, searchbox or textbox). */
function paletteInput(): Locator {
  const dialog = palette();
  const name = { name: "Search movies", exact: true };
  return dialog
    .getByRole("combobox", name)
    .or(dialog.getByRole("searchbox", name))
    .or(dialog.getByRole("textbox", name));
}

/**
 * Types like a person, then waits for the answer to the whole text: on a busy
 * machine a pause between keys can send a prefix first, and its rows are shown
 * until the last answer arrives.
 */
async function search(text: string): Promise<void> {
  const input = paletteInput();
  await input.fill("");
  await input.pressSequentially(text, { delay: 15 });
  await expect.poll(() => palette().getByText("Searching…").count()).toBe(0);
}

async function openMovie(query: string, title: string): Promise<void> {
  await page.keyboard.press("Control+K");
  await palette().waitFor();
  await search(query);
  await page.getByRole("option").filter({ hasText: title }).first().click();
  await page.getByRole("heading", { level: 2, name: title, exact: true }).waitFor();
}

function whyRegion(): Locator {
  return page.getByRole("region", { name: "Why this?", exact: true });
}

/** Waits until the explanation has finished streaming; returns its data-generated-at. */
async function explanationDone(): Promise<string> {
  const region = whyRegion();
  await region.waitFor();
  await expect
    .poll(async () => ({
      busy: (await region.getAttribute("aria-busy")) === "true",
      generatedAt: await region.getAttribute("data-generated-at"),
    }))
    .toMatchObject({ busy: false, generatedAt: expect.stringMatching(/\S/) });
  expect(((await region.textContent()) ?? "").trim()).not.toBe("");
  return (await region.getAttribute("data-generated-at")) as string;
}

/** Marks the focused element so a test can tell whether focus came back to it. */
async function markFocused(): Promise<string> {
  return (await page.evaluate(
    `(() => { const e = document.activeElement; if (!e || e === document.body) return "body";
       e.setAttribute("data-e2e-focus", "1"); return e.tagName + " " + (e.textContent || e.getAttribute("aria-label") || ""); })()`,
  )) as string;
}

function focusedIsMarked(): Promise<boolean> {
  return page.evaluate(
    `document.activeElement?.getAttribute("data-e2e-focus") === "1"`,
  ) as Promise<boolean>;
}

async function inputIsFocused(): Promise<boolean> {
  return (await paletteInput().and(page.locator(":focus")).count()) === 1;
}

// --- the tests -------------------------------------------------------------

describe.skipIf(!browserPath)("Marquee in a browser", () => {
  it("serves the page and a healthy API", async () => {
    const pageResponse = await fetch(base);
    expect(pageResponse.status).toBe(200);
    expect(pageResponse.headers.get("content-type")).toMatch(/text\/html/);
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
  });

  it("shows recommendations after the demo sign-in", async () => {
    await signIn();
    await page
      .getByRole("heading", { level: 2, name: "Recommended for you", exact: true })
      .waitFor();
    await expect.poll(() => page.getByRole("article").count()).toBeGreaterThanOrEqual(3);
  });

  it("finds Toy Story from a description and explains why it fits", async () => {
    await signIn();
    await page.keyboard.press("Control+K");
    await palette().waitFor();
    await search("the one where toys come alive");
    const toyStory = page.getByRole("option").filter({ hasText: "Toy Story" }).first();
    await toyStory.waitFor();
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, "palette.png") });

    await toyStory.click();
    await page.getByRole("heading", { level: 2, name: "Toy Story", exact: true }).waitFor();
    await page.getByRole("button", { name: "Why this?", exact: true }).click();
    const firstGeneratedAt = await explanationDone();
    await expect
      .poll(() => whyRegion().getByRole("button").filter({ hasText: "you rated" }).count())
      .toBeGreaterThanOrEqual(1);
    // The movie's title at the top of the frame, the explanation and its evidence below.
    await page
      .getByRole("heading", { level: 2, name: "Toy Story", exact: true })
      .evaluate((heading) => heading.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: path.join(screenshots, "explanation.png") });

    // A new rating bumps the ratings version: the explanation is regenerated.
    const stars = page.getByRole("radiogroup", { name: "Your rating", exact: true });
    let newRating = stars.getByRole("radio", { name: "2 stars", exact: true });
    // (On a reused stack the last run may have left 2 stars already.)
    if (await newRating.isChecked())
      newRating = stars.getByRole("radio", { name: "3 stars", exact: true });
    await newRating.click();
    await expect.poll(() => newRating.isChecked()).toBe(true);
    await expect
      .poll(() => whyRegion().getAttribute("data-generated-at"), { timeout: 10_000 })
      .toSatisfy((at: string | null) => at !== null && at !== firstGeneratedAt);
    await explanationDone();
  });

  it("puts the film a description means first, with the sentence that answers it, and shows a like query's film as a chip", async () => {
    await signIn();
    await page.keyboard.press("Control+K");
    await palette().waitFor();
    // Toy Story, in other words than its overview's.
    await search(
      "jealous toy scared to lose his spot in the kid's heart schemes against the new arrival",
    );
    const first = page.getByRole("option").first();
    await expect.poll(() => first.textContent()).toContain("Toy Story");
    // The overview sentence the vector side matched is shown under the title.
    await expect.poll(() => first.locator(".result-highlight").textContent()).toMatch(/Woody|Buzz/);

    await search("thriller movies like heat");
    const chips = palette().getByRole("list", { name: "Filters", exact: true });
    const like = chips.getByRole("button", { name: "Remove filter like Heat (1995)", exact: true });
    await like.waitFor();
    await expect.poll(() => page.getByRole("option").count()).toBeGreaterThan(3);
    const titles = await page.getByRole("option").locator(".result-title").allTextContents();
    expect(titles).not.toContain("Heat");
    // Removing the chip removes "like heat" from the query.
    await like.click();
    await expect.poll(() => paletteInput().inputValue()).toBe("thriller movies");
  });

  it("opens and closes the palette from the keyboard", async () => {
    await signIn();
    await page.keyboard.press("Tab");
    const focused = await markFocused();
    expect(focused, "Tab should focus something on the page").not.toBe("body");

    await page.keyboard.press("Control+K");
    await palette().waitFor();
    await expect.poll(inputIsFocused).toBe(true);
    await page.keyboard.press("Escape");
    await palette().waitFor({ state: "hidden" });
    await expect.poll(focusedIsMarked, { message: `focus back on ${focused}` }).toBe(true);

    // "/" opens it when focus is not in a text field, and is not typed into it.
    await page.evaluate(`document.activeElement?.blur()`);
    await page.keyboard.press("/");
    await palette().waitFor();
    await expect.poll(inputIsFocused).toBe(true);
    expect(await paletteInput().inputValue()).toBe("");

    await search("toy story");
    const options = page.getByRole("option");
    // The previous query's rows stay while this one loads: wait for this answer.
    await expect.poll(() => options.first().textContent()).toContain("Toy Story");
    await expect.poll(() => options.count()).toBeGreaterThanOrEqual(2);
    const selected = async () => {
      const states: (string | null)[] = [];
      for (const option of await options.all())
        states.push(await option.getAttribute("aria-selected"));
      return states;
    };
    const before = (await selected()).indexOf("true");
    await page.keyboard.press("ArrowDown");
    await expect.poll(async () => (await selected()).indexOf("true")).toBe(before + 1);
    await page.keyboard.press("ArrowDown");
    await expect.poll(async () => (await selected()).indexOf("true")).toBe(before + 2);

    // Nonsense finds nothing (nearest neighbours that far off are dropped).
    await search("zzzzqqqxxx");
    await page.getByText("No movies found").waitFor();
    expect(await page.getByRole("option").count()).toBe(0);

    // A year nothing in the catalog has leaves no results either; the year
    // read from the query becomes a chip, and removing it brings them back.
    await search("pixar from 1901");
    await page.getByText("No movies found").waitFor();
    expect(await page.getByRole("option").count()).toBe(0);
    const chip = palette().getByRole("button", { name: /^Remove filter / });
    await chip.first().waitFor();
    await chip.first().click();
    await expect.poll(() => page.getByRole("option").count()).toBeGreaterThan(0);
    expect(await page.getByText("No movies found").count()).toBe(0);
  });

  it("takes feedback on an explanation", async () => {
    await signIn();
    await openMovie("Jumanji", "Jumanji");
    await page.getByRole("button", { name: "Why this?", exact: true }).click();
    await explanationDone();
    await page.getByRole("button", { name: "Helpful", exact: true }).click();
    const thanks = page.getByText("Thanks for the feedback");
    const send = page.getByRole("button", { name: "Send feedback", exact: true });
    await thanks.or(send).first().waitFor();
    // The verdict is sent at once, or with an optional reason: either way, thanks.
    let reason: string | undefined;
    if (await send.isVisible()) {
      reason = `Spot on (${new Date().toISOString()})`;
      await page.getByLabel("Why? (optional)", { exact: true }).fill(reason);
      await send.click();
    }
    await thanks.waitFor();

    // The verdict reached the database, not just the page.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // The latest verdict (a reused stack keeps older ones on older explanations).
      const { rows } = await db.query<{ helpful: boolean; reason: string | null }>(
        `select helpful, reason from explanation_feedback where user_id = $1 and movie_id = $2
          order by created_at desc limit 1`,
        [USER, 2],
      );
      expect(rows[0]?.helpful).toBe(true);
      if (reason) expect(rows[0]?.reason).toBe(reason);
    } finally {
      await db.end();
    }
  });
  it("finds a film added through the API, without a restart", async () => {
    const movieId = 9_100_001;
    const title = "The Cartographer of Drowned Bells";
    const put = await fetch(`${base}/api/admin/movies/${movieId}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        title,
        year: 2026,
        genres: ["Adventure", "Fantasy"],
        overview:
          "A mapmaker charts a flooded valley by listening to the church bells that still ring beneath the lake. Each bell she finds redraws the border between two feuding villages.",
      }),
    });
    expect(put.status).toBe(202);
    try {
      await signIn();
      await page.keyboard.press("Control+K");
      await palette().waitFor();
      // The queue writes its vectors within seconds; the palette finds it from a description.
      const found = page.getByRole("option").filter({ hasText: title });
      await expect
        .poll(
          async () => {
            await search("a map maker listens to bells ringing under a lake");
            return found.count();
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toBeGreaterThan(0);
      await found.first().click();
      await page.getByRole("heading", { level: 2, name: title, exact: true }).waitFor();
    } finally {
      await fetch(`${base}/api/admin/movies/${movieId}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${adminToken}` },
      });
    }
  });
});
