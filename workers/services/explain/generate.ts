import type Anthropic from "@anthropic-ai/sdk";
import type { Claude } from "../claude.ts";
import { ExplanationDraft } from "./draft.ts";
import { deterministicExplanation } from "./fallback.ts";
import { checkGrounding, checkText } from "./grounding.ts";
import { completePrefix, renderDraft, renderPlaceholders } from "./placeholders.ts";
import {
  contextBlocks,
  EXPLANATION_TOOL,
  EXPLANATION_TOOL_SCHEMA,
  INSTRUCTIONS,
} from "./prompt.ts";
import type { ExplainContext, Violation } from "./types.ts";

export const DETERMINISTIC_MODEL = "deterministic";

/** One attempt plus one regeneration with the violations named; then the deterministic explainer. */
export const MAX_ATTEMPTS = 2;

/** Claude, and how long one Messages API request may take (before the SDK's own retries on 429 / 5xx). */
export type ClaudeSettings = Claude & { timeoutMs: number };

export interface GenerationHooks {
  /** Each new sentence of the explanation, rendered, once it is complete and passed the checks. */
  onDelta?: (text: string) => void;
  /** The draft the text sent so far belongs to failed a check later, and will be replaced. */
  onReset?: () => void;
  /** Stage timings of the request; `model` gets the time spent waiting for Claude. */
  timings?: Record<string, number>;
}

export interface Generation {
  /** The checked draft with its placeholders written out. */
  draft: ExplanationDraft;
  source: "claude" | "fallback";
  model: string;
  modelCalls: number;
  usage: { input: number; cached: number; output: number };
  /** Violations found per rejected attempt, for logs and eval:explain. */
  rejected: Violation[][];
}

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
    draft: renderDraft(deterministicExplanation(context), context),
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
  hooks: GenerationHooks = {},
): Promise<Generation> {
  const usage = { input: 0, cached: 0, output: 0 };
  const rejected: Violation[][] = [];
  // Whether any text reached the page; a later answer then starts with a reset.
  let streamed = false;
  /**
   * The sentences written so far, rendered, when they pass the same checks
   * as a whole draft's text, so that no invented title, year or director is
   * ever shown, not even for a moment: a sentence is sent only once it is
   * complete and checked.
   */
  const shownPrefix = (prefix: string) =>
    checkText(prefix, context).length === 0 ? renderPlaceholders(prefix, context) : undefined;
  const finish = (result: Generation) => {
    if (streamed) hooks.onReset?.();
    if (hooks.onDelta) hooks.onDelta(result.draft.explanation);
    return result;
  };
  if (!claude) return finish(fallback(context, 0, rejected, usage));

  const { client } = claude;
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
    // What of this attempt's rendered text the page has: only sentences that passed the checks.
    let shown = 0;
    let held = false;
    calls++;
    const callStarted = Date.now();
    const timings = hooks.timings;
    const show = (rendered: string) => {
      if (rendered.length <= shown) return;
      if (streamed && shown === 0) hooks.onReset?.();
      hooks.onDelta?.(rendered.slice(shown));
      shown = rendered.length;
      streamed = true;
    };
    try {
      if (hooks.onDelta) {
        const stream = client.messages.stream(params);
        let json = "";
        let checked = 0;
        stream.on("inputJson", (partial) => {
          json += partial;
          if (held) return;
          const text = openStringValue(json, "explanation");
          const complete = completePrefix(text);
          if (complete <= checked) return;
          checked = complete;
          // A sentence that fails holds back the rest of this attempt.
          const rendered = shownPrefix(text.slice(0, complete));
          if (rendered === undefined) held = true;
          else show(rendered);
        });
        message = await stream.finalMessage();
      } else {
        message = await client.messages.create(params, { timeout: claude.timeoutMs });
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
    const parsed = ExplanationDraft.safeParse(
      toolUse?.type === "tool_use" ? toolUse.input : undefined,
    );
    let violations: Violation[];
    if (!parsed.success) {
      violations = [
        {
          kind: "format",
          message: `Answer only through the ${EXPLANATION_TOOL} tool with explanation, confidence and evidence.`,
        },
      ];
    } else {
      violations = checkGrounding(parsed.data, context);
      if (violations.length === 0) {
        const draft = renderDraft(parsed.data, context);
        // The whole draft passed: the rest of it (its last sentence) goes out now.
        show(draft.explanation);
        return {
          draft,
          source: "claude",
          model: message.model || claude.model,
          modelCalls: calls,
          usage,
          rejected,
        };
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
