import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { mintUserToken } from "../../core/auth/user-token.ts";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { fakeAnthropicControl } from "../../scripts/lib/fake-anthropic-control.ts";
import { createApp } from "../../workers/app.ts";
import { parseEnv } from "../../workers/env.ts";
import { openPool } from "../../workers/services/postgres.ts";
import { checkContract, checkEvent } from "./contract.ts";

export const testEnv = env as unknown as Record<string, unknown> & {
  MODELS: R2Bucket;
  TEST_FILES_URL: string;
  ANTHROPIC_BASE_URL: string;
  TEST_BLACK_HOLE_URL: string;
  JWT_SECRET: string;
  ADMIN_TOKEN: string;
};

/** Copies the model and tokenizer into the test R2 bucket (what `model:upload` does for real). */
export async function uploadModel(): Promise<void> {
  for (const file of [MODEL_FILES.int8, MODEL_FILES.tokenizer, MODEL_FILES.tokenizerConfig]) {
    if (await testEnv.MODELS.head(`all-MiniLM-L6-v2/${file}`)) continue;
    const response = await fetch(`${testEnv.TEST_FILES_URL}/${file}`);
    await testEnv.MODELS.put(`all-MiniLM-L6-v2/${file}`, await response.arrayBuffer());
  }
}

/** Sends a request through the real app, with bindings overridden where a test breaks a dependency. */
export async function request(
  path: string,
  overrides: Record<string, unknown> = {},
  init?: RequestInit,
) {
  const app = createApp();
  const ctx = createExecutionContext();
  const response = await app.request(path, init, { ...testEnv, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  await checkContract(init?.method ?? "GET", path, response);
  return response;
}

/** A loopback URL nothing listens on. */
export const DEAD_CHROMA = "http://127.0.0.1:9";
export const DEAD_POSTGRES = "postgres://postgres@127.0.0.1:9/test";

/** A signed user token, as `npm run token` mints it. */
export function tokenFor(userId: number, ttlSeconds = 3_600): Promise<string> {
  return mintUserToken(userId, testEnv.JWT_SECRET, ttlSeconds);
}

/** Sends a request as `userId`. */
export async function requestAs(
  userId: number,
  path: string,
  init: RequestInit = {},
  overrides: Record<string, unknown> = {},
) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${await tokenFor(userId)}`);
  if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
  return request(path, overrides, { ...init, headers });
}

/** Runs SQL against the test database through the same Neon driver the Worker uses. */
export async function query<T = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const pool = openPool(parseEnv(testEnv));
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

/** The fake Messages API's controls. */
export const fake = () => fakeAnthropicControl(testEnv.ANTHROPIC_BASE_URL);

/** Parses a server-sent event stream into its events. */
export async function readEvents(response: Response): Promise<{ event: string; data: unknown }[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const lines = chunk.split("\n");
      const event =
        lines
          .find((l) => l.startsWith("event:"))
          ?.slice(6)
          .trim() ?? "message";
      const data = lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n");
      const parsed = JSON.parse(data) as unknown;
      checkEvent(event, parsed);
      return { event, data: parsed };
    });
}
