import { Tokenizer } from "@huggingface/tokenizers";
import { MAX_TOKENS } from "./model.ts";

/** Token ids for a batch, padded to its longest member, laid out row-major for ONNX. */
export interface TokenBatch {
  batchSize: number;
  sequenceLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/**
 * WordPiece tokenisation from the model's own tokenizer.json, truncated the way
 * sentence-transformers does it: keep the first MAX_TOKENS - 1 pieces and end
 * with [SEP]. (tokenizer.json itself says 128; the model was trained with 256.)
 */
export class SentenceTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly sepId: number;

  constructor(tokenizerJson: object, tokenizerConfig: object) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const sep = this.tokenizer.encode("", { add_special_tokens: true }).ids.at(-1);
    if (sep === undefined) throw new Error("tokenizer has no [SEP] token");
    this.sepId = sep;
  }

  /** Token ids of one text, specials included, at most MAX_TOKENS long. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    if (ids.length <= MAX_TOKENS) return ids;
    const kept = ids.slice(0, MAX_TOKENS - 1);
    kept.push(this.sepId);
    return kept;
  }

  /** Pads already-encoded texts to the longest one (dynamic padding). */
  static pad(encoded: readonly number[][]): TokenBatch {
    const batchSize = encoded.length;
    const sequenceLength = Math.max(1, ...encoded.map((ids) => ids.length));
    const size = batchSize * sequenceLength;
    const inputIds = new BigInt64Array(size);
    const attentionMask = new BigInt64Array(size);
    for (let row = 0; row < batchSize; row++) {
      const ids = encoded[row] ?? [];
      const offset = row * sequenceLength;
      for (let i = 0; i < ids.length; i++) {
        inputIds[offset + i] = BigInt(ids[i] ?? 0);
        attentionMask[offset + i] = 1n;
      }
    }
    return {
      batchSize,
      sequenceLength,
      inputIds,
      attentionMask,
      tokenTypeIds: new BigInt64Array(size),
    };
  }
}
