import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { MODEL_FILES } from "../../core/embedding/model.ts";
import { createApp } from "../../workers/app.ts";

export const testEnv = env as unknown as Record<string, unknown> & {
  MODELS: R2Bucket;
  TEST_FILES_URL: string;
  ANTHROPIC_BASE_URL: string;
  TEST_BLACK_HOLE_URL: string;
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
  return response;
}

/** A loopback URL nothing listens on. */
export const DEAD_CHROMA = "http://127.0.0.1:9";
export const DEAD_POSTGRES = "postgres://postgres@127.0.0.1:9/test";
