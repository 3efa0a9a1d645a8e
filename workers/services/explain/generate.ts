import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { deterministicExplanation } from "./fallback.ts";
import { checkGrounding } from "./grounding.ts";
import {
  contextBlocks,
  EXPLANATION_TOOL,
  EXPLANATION_TOOL_SCHEMA,
  INSTRUCTIONS,
} from "./prompt.ts";
import { titleCandidates } from "./title-candidates.ts";
import type { ExplainContext, ExplanationDraft, Violation } from "./types.ts";

export const DETERMINISTIC_MODEL = "deterministic";

/** One attempt plus one regeneration with the violations named; then the deterministic explainer. */
const MAX_ATTEMPTS = 2;

export interface ClaudeSettings {
  apiKey: string;
  baseURL?: string | undefined;
  model: string;
  /** Per request, before the SDK's own retries on 429 / 5xx. */
  timeoutMs: number;
}

export interface GenerationHooks {
  /** Each new piece of the explanation's text as the model writes it. */
  onDelta?: (text: string) => void;
  /** The text streamed so far failed a check and will be replaced. */
  onReset?: () => void;
  /** Stage timings of the request; `model` gets the time spent waiting for Claude. */
  timings?: Record<string, number>;
}

export interface Generation {
  draft: ExplanationDraft;
  source: "claude" | "fallback";
  model: string;
  modelCalls: number;
  usage: { input: number; cached: number; output: number };
  /** Violations found per rejected attempt, for logs and eval:explain. */
  rejected: Violation[][];
}

const Draft = z.object({
  explanation: z.string(),
  confidence: z.enum(["high", "medium", "low"]),
  evidence: z.array(z.object({ movieId: z.number().int(), why: z.string() })),
});

/**
 * The text of the string value of `key` in a JSON document that is still
 * arriving, decoded as far as it goes ("" until it starts). The SDK's parsed
 * snapshot leaves unfinished strings out, so the stream is read here.
 */
export function openStringValue(json: string, key: string): string {
  const start = new RegExp(`"${key}"\\s*:\\s*"`).exec(json);
  if (!start) return "";
  let raw = "";
  for (let i = start.index + start[0].length; i < json.length; i++) {
    const ch = json[i] as string;
    if (ch === '"') break;
    if (ch === "\\") {
      const sequence = ch + json.slice(i + 1, json[i + 1] === "u" ? i + 6 : i + 2);
      if (sequence.length < (json[i + 1] === "u" ? 6 : 2)) break; // escape not complete yet
      raw += sequence;
      i += sequence.length - 1;
      continue;
    }
    raw += ch;
  }
  return JSON.parse(`"${raw}"`) as string;
}

function fallback(
  context: ExplainContext,
  modelCalls: number,
  rejected: Violation[][],
  usage: Generation["usage"],
): Generation {
  return {
    draft: deterministicExplanation(context),
    source: "fallback",
    model: DETERMINISTIC_MODEL,
    modelCalls,
    usage,
    rejected,
  };
}

/**
 * Writes the explanation with Claude (structured through a forced tool),
 * checks it against the context, asks once more with the violations named,
 * and falls back to the deterministic explainer when the model still invents
 * something, answers malformed, or fails after the SDK's retries. Without
 * settings (no API key) the deterministic explainer answers directly.
 */
export async function generateExplanation(
  context: ExplainContext,
  claude: ClaudeSettings | undefined,
  titlesAmong: (candidates: string[]) => Promise<Set<string>>,
  hooks: GenerationHooks = {},
): Promise<Generation> {
  const usage = { input: 0, cached: 0, output: 0 };
  const rejected: Violation[][] = [];
  let streamed = false;
  const finish = (result: Generation) => {
    if (streamed) hooks.onReset?.();
    if (hooks.onDelta) hooks.onDelta(result.draft.explanation);
    return result;
  };
  if (!claude) return finish(fallback(context, 0, rejected, usage));

  const client = new Anthropic({
    apiKey: claude.apiKey,
    ...(claude.baseURL ? { baseURL: claude.baseURL } : {}),
    timeout: claude.timeoutMs,
  });
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: contextBlocks(context) }];
  let calls = 0;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const params: Anthropic.MessageCreateParamsNonStreaming = {
      model: claude.model,
      max_tokens: 600,
      system: [{ type: "text", text: INSTRUCTIONS, cache_control: { type: "ephemeral" } }],
      tools: [EXPLANATION_TOOL_SCHEMA],
      tool_choice: { type: "tool", name: EXPLANATION_TOOL },
      messages,
    };
    let message: Anthropic.Message;
    calls++;
    const callStarted = Date.now();
    const timings = hooks.timings;
    try {
      if (hooks.onDelta) {
        const onDelta = hooks.onDelta;
        const stream = client.messages.stream(params);
        let json = "";
        let sent = 0;
        stream.on("inputJson", (partial) => {
          json += partial;
          const text = openStringValue(json, "explanation");
          if (text.length > sent) {
            if (streamed && sent === 0) hooks.onReset?.();
            onDelta(text.slice(sent));
            sent = text.length;
            streamed = true;
          }
        });
        message = await stream.finalMessage();
      } else {
        message = await client.messages.create(params);
      }
    } catch (error) {
      // The SDK already retried 429 / 5xx; the user still gets an answer.
      if (timings) timings.model = (timings.model ?? 0) + Date.now() - callStarted;
      console.warn(JSON.stringify({ explain: "claude failed", attempt, error: String(error) }));
      return finish(fallback(context, calls, rejected, usage));
    }
    if (timings) timings.model = (timings.model ?? 0) + Date.now() - callStarted;
    usage.input += message.usage.input_tokens;
    usage.cached += message.usage.cache_read_input_tokens ?? 0;
    usage.output += message.usage.output_tokens;

    const toolUse = message.content.find((b) => b.type === "tool_use");
    const parsed = Draft.safeParse(toolUse?.type === "tool_use" ? toolUse.input : undefined);
    let violations: Violation[];
    if (!parsed.success) {
      violations = [
        {
          kind: "format",
          message: `Answer only through the ${EXPLANATION_TOOL} tool with explanation, confidence and evidence.`,
        },
      ];
    } else {
      const titles = await titlesAmong(titleCandidates(parsed.data.explanation));
      violations = checkGrounding(parsed.data, context, titles);
      if (violations.length === 0) {
        // Streamed text already shows this draft; finish() would repeat it.
        const result: Generation = {
          draft: parsed.data,
          source: "claude",
          model: message.model || claude.model,
          modelCalls: calls,
          usage,
          rejected,
        };
        if (!streamed && hooks.onDelta) hooks.onDelta(parsed.data.explanation);
        return result;
      }
    }
    rejected.push(violations);
    console.warn(JSON.stringify({ explain: "rejected", attempt, violations }));
    const feedback = `Your explanation broke these rules:\n- ${violations.map((v) => v.message).join("\n- ")}\nWrite it again using only the data blocks, through the ${EXPLANATION_TOOL} tool.`;
    messages.push({ role: "assistant", content: message.content });
    messages.push({
      role: "user",
      content:
        toolUse?.type === "tool_use"
          ? [{ type: "tool_result", tool_use_id: toolUse.id, is_error: true, content: feedback }]
          : feedback,
    });
  }
  return finish(fallback(context, calls, rejected, usage));
}
