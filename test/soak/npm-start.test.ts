import { rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../embed-pipeline/src/free-port.ts";
import { startFakeAnthropic } from "../../scripts/lib/fake-anthropic.ts";
import { fakeAnthropicControl } from "../../scripts/lib/fake-anthropic-control.ts";
import { type NpmStartStack, startNpmStart } from "../../scripts/lib/npm-start-stack.ts";
import { moviePool, runSoak, soakTable } from "../../scripts/lib/soak.ts";
import { subsetDataDir } from "../helpers/data-dir.ts";

const CLIENTS = 20;
const SECONDS = 60;

/**
 * The stack exactly as `npm start` builds it on its embedded defaults (its
 * own PostgreSQL, Chroma, the Worker under wrangler dev), with a fake Claude
 * behind ANTHROPIC_BASE_URL that answers in 300 ms and sometimes invents,
 * under 20 signed-in people for a minute.
 */
describe("npm start under a crowd", () => {
  let stack: NpmStartStack;
  let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
  let dataDir: string;
  let control: ReturnType<typeof fakeAnthropicControl>;

  beforeAll(async () => {
    dataDir = subsetDataDir(path.resolve(process.env.DATA_DIR ?? "../shared/data"), 1_200);
    const port = await freePort();
    fake = await startFakeAnthropic(port);
    control = fakeAnthropicControl(`http://127.0.0.1:${port}`);
    await control.setMode("explain-mixed", { delayMs: 300 });
    stack = await startNpmStart({
      dataDir,
      extraEnv: { ANTHROPIC_API_KEY: "soak-fake", ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` },
    });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`answers ${CLIENTS} clients for ${SECONDS} s without a 5xx, and stays healthy`, async () => {
    const report = await runSoak({
      base: stack.base,
      clients: CLIENTS,
      seconds: SECONDS,
      movies: await moviePool(stack.base),
    });
    console.log(soakTable(report));
    expect(report.failures, JSON.stringify(report.failures.slice(0, 5))).toEqual([]);
    // Every part of the mix ran, and answered.
    for (const route of [
      "search",
      "recommendations",
      "ratings: put",
      "explain: JSON",
      "explain: SSE",
    ]) {
      expect(report.routes[route]?.statuses["200"] ?? 0, route).toBeGreaterThan(10);
    }
    // The model was called, within each user's hourly limit.
    expect(await control.count()).toBeGreaterThan(0);
    const health = await fetch(`${stack.base}/api/health`);
    expect(health.status, await health.clone().text()).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
  }, 180_000);
});
