"""Benchmark contender: sentence-transformers itself on the CPU, same weights.

usage: bench_sentence_transformers.py MODEL_DIR TEXTS.json OUT.f32 THREADS
Prints one JSON line like the Node contenders; writes float32 vectors to OUT.f32.
"""

import json
import resource
import sys
import time

import numpy as np
import torch
from sentence_transformers import SentenceTransformer


def main() -> None:
    model_dir, texts_path, out_path, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(threads)
    texts = json.load(open(texts_path, encoding="utf-8"))
    t0 = time.perf_counter()
    model = SentenceTransformer(model_dir, device="cpu")
    load = time.perf_counter() - t0
    t1 = time.perf_counter()
    with torch.inference_mode():
        vectors = model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    embed = time.perf_counter() - t1
    vectors.astype(np.float32).tofile(out_path)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"loadSeconds": load, "embedSeconds": embed, "texts": len(texts), "peakRssMb": peak_kb / 1024}))


if __name__ == "__main__":
    main()
