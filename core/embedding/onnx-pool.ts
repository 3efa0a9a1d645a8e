import { type PooledSum, sumPool } from "./pooling.ts";
import { SentenceTokenizer } from "./tokenizer.ts";

/** What runPooled needs of a tensor: onnxruntime-node's and onnxruntime-web's both fit. */
export interface OrtTensor {
  data: unknown;
  dispose(): void;
}

/** An onnxruntime flavour's int64 Tensor constructor and an inference session of it. */
export interface OrtRunner<T extends OrtTensor> {
  Tensor: new (type: "int64", data: BigInt64Array, dims: readonly number[]) => T;
  session: { run(feeds: Record<string, T>): Promise<Record<string, T>> };
}

/**
 * One model run over already-tokenised texts, padded to the longest of them:
 * each text's pooled word pieces (sumPool). The pipeline (onnxruntime-node)
 * and the Worker (onnxruntime-web) both encode through this, so a film's
 * vectors are pooled the same way wherever they are made.
 */
export async function runPooled<T extends OrtTensor>(
  { Tensor, session }: OrtRunner<T>,
  encoded: readonly number[][],
): Promise<PooledSum[]> {
  if (encoded.length === 0) return [];
  const batch = SentenceTokenizer.pad(encoded);
  const dims = [batch.batchSize, batch.sequenceLength];
  const outputs = await session.run({
    input_ids: new Tensor("int64", batch.inputIds, dims),
    attention_mask: new Tensor("int64", batch.attentionMask, dims),
    token_type_ids: new Tensor("int64", batch.tokenTypeIds, dims),
  });
  try {
    const hidden = outputs.last_hidden_state;
    if (!hidden) throw new Error("model has no last_hidden_state output");
    return sumPool(
      hidden.data as Float32Array,
      batch.attentionMask,
      batch.batchSize,
      batch.sequenceLength,
    );
  } finally {
    for (const tensor of Object.values(outputs)) tensor.dispose();
  }
}
