import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";

/**
 * The structured answer the model (or the deterministic explainer)
 * produces: one schema for the tool's input schema sent to Claude, for
 * parsing its answer, and for the type the checks read.
 */
export const ExplanationDraft = z.object({
  explanation: z
    .string()
    .describe(
      "Two or three sentences addressed to the person, naming movies only as [[movieId]] and their ratings only as [[movieId:stars]].",
    ),
  confidence: z.enum(["high", "medium", "low"]),
  evidence: z.array(
    z.object({
      movieId: z.number().int().describe("A movieId from <liked_movies>."),
      why: z
        .string()
        .describe("What links it to the target, in a few words (placeholders allowed)."),
    }),
  ),
});
export type ExplanationDraft = z.infer<typeof ExplanationDraft>;
export type Confidence = ExplanationDraft["confidence"];

/** The draft as a Messages API tool's input schema (JSON Schema, without the `$schema` tag). */
export function draftInputSchema(): Anthropic.Tool.InputSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(ExplanationDraft);
  return schema as Anthropic.Tool.InputSchema;
}
