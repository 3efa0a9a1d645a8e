import Anthropic from "@anthropic-ai/sdk";
import type { WorkerSettings } from "../settings.ts";

/** Claude as this deployment configures it: one SDK client and the model to ask. */
export interface Claude {
  client: Anthropic;
  model: string;
}

/**
 * The one place the Anthropic client is built (re-ranks and explanations
 * share it; each call sets its own timeout and retries), or null without
 * ANTHROPIC_API_KEY: no model calls at all.
 */
export function claudeFor(
  env: Pick<WorkerSettings, "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "ANTHROPIC_MODEL">,
): Claude | null {
  if (!env.ANTHROPIC_API_KEY) return null;
  return {
    client: new Anthropic({
      apiKey: env.ANTHROPIC_API_KEY,
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    }),
    model: env.ANTHROPIC_MODEL,
  };
}
