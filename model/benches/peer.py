"""The Python peer of benches/embedder.rs: sentence-transformers on the same model folder and the
same questions, for side-by-side numbers. Not part of CI (torch is ~3 GB): run it by hand in a
venv outside the repository:

    python3 -m venv /tmp/peer && /tmp/peer/bin/pip install "sentence-transformers==6.2.*"
    /tmp/peer/bin/python model/benches/peer.py --threads 2
"""
import argparse
import csv
import os
import statistics
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--texts", type=int, default=3000)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--latency-runs", type=int, default=200)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()

import torch  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

torch.set_num_threads(args.threads)
here = Path(__file__).resolve().parent
shared = Path(os.environ.get("BOTCOACH_SHARED_DIR", here / "../../../shared"))
model_dir = os.environ.get(
    "BOTCOACH_MODEL_DIR",
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "botcoach/models/all-MiniLM-L6-v2",
)
with open(shared / "data/banking77/train.csv", newline="") as f:
    texts = [row["text"] for row in csv.DictReader(f)][: args.texts]

model = SentenceTransformer(str(model_dir), device="cpu")
print(f"{len(texts)} questions, torch {torch.__version__}, {torch.get_num_threads()} threads")
print("one call per batch of consecutive questions:")
for batch in (1, 32, 128):
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        for i in range(0, len(texts), batch):
            model.encode(texts[i : i + batch], batch_size=batch, normalize_embeddings=True)
        rates.append(len(texts) / (time.perf_counter() - start))
    print(f"sentence-transformers batch {batch:>4}: {statistics.median(rates):8.1f} sentences/s")

print(f"all {len(texts)} questions in one call, cut into batches:")
for batch in (32, 128):
    rates = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        model.encode(texts, batch_size=batch, normalize_embeddings=True)
        rates.append(len(texts) / (time.perf_counter() - start))
    print(f"sentence-transformers batch {batch:>4}: {statistics.median(rates):8.1f} sentences/s")

question = "How do I activate my card?"
times = []
for _ in range(args.latency_runs):
    start = time.perf_counter()
    model.encode([question], normalize_embeddings=True)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"latency of one short question: median {times[len(times) // 2]:.2f} ms, p90 {times[len(times) * 9 // 10]:.2f} ms")
