/** all-MiniLM-L6-v2: the one sentence-embedding model Marquee uses everywhere. */
export const EMBEDDING_DIMENSIONS = 384;
/** sentence-transformers' max_seq_length for this model (word pieces, specials included). */
export const MAX_TOKENS = 256;

/** The two ONNX variants Marquee can run; int8 is the one that fits a Worker isolate. */
export const MODEL_VARIANTS = ["fp32", "int8"] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** File names inside a models folder (see scripts/model-fetch.ts). */
export const MODEL_FILES = {
  fp32: "model.onnx",
  int8: "model_int8.onnx",
  tokenizer: "tokenizer.json",
  tokenizerConfig: "tokenizer_config.json",
} as const;

/** A stable label stored beside every vector, so vectors from different files never mix. */
export function modelLabel(variant: ModelVariant): string {
  return `all-MiniLM-L6-v2/${variant}`;
}
