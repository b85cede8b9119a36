#!/usr/bin/env python3
"""Writes demo/traffic.csv: two weeks of questions the demo bot is asked (replayed once by
`botcoach demo` so the dashboard has history). Banking77 questions (CC BY 4.0) that are not in
the demo knowledge base, and the demo's unanswerable questions, spread over 14 days with a fixed
seed. Usage: scripts/make-demo-traffic.py ../shared/data/banking77/train.csv"""
import csv
import random
import sys

train = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/banking77/train.csv"
known = set()
with open("demo/banking77-en.csv", newline="") as f:
    for row in csv.DictReader(f):
        known.add(row["question"].strip().lower())
        for p in row["phrasings"].split("|"):
            known.add(p.strip().lower())
pool = []
with open(train, newline="") as f:
    for row in csv.DictReader(f):
        q = row["text"].strip()
        if q.lower() not in known:
            pool.append(q)
with open("demo/misses.csv", newline="") as f:
    missed = [row["question"] for row in csv.DictReader(f)]
rng = random.Random(2026)
rows = []
for day in range(14, 0, -1):
    for q in rng.sample(pool, 10):
        rows.append((q, rng.choice(["bot", "bot", "online", "hotline"]), day))
    for q in rng.sample(missed, 2):
        rows.append((q, "bot", day))
with open("demo/traffic.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["question", "channel", "days_ago"])
    w.writerows(rows)
print(f"{len(rows)} questions over 14 days")
