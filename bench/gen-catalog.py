#!/usr/bin/env python3
"""Writes N synthetic exercise files into a folder, for the end-to-end planner benchmark.

Usage: bench/gen-catalog.py N DIR [SEED]
"""
import pathlib
import random
import sys

POSITIONS = {
    "supine": ["floor", "bed"], "side-lying": ["floor", "bed"], "prone": ["floor", "bed"],
    "quadruped": ["floor"], "kneeling": ["floor"], "half-kneeling": ["floor"],
    "seated-floor": ["floor", "bed"], "seated-chair": ["chair"], "standing": ["standing"],
}
AREAS = ["neck", "upper-back", "mid-back", "lower-back", "glutes", "hip-flexors",
         "hamstrings", "side-trunk", "abdominals"]


def main():
    n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        pos = rng.choice(list(POSITIONS))
        areas = sorted(set(rng.choice(AREAS) for _ in range(rng.randint(1, 3))))
        kind = "activation" if rng.random() < 0.2 else "stretch"
        text = f'''id = "gen-{i}"
name = "Generated move {i}"
kind = "{kind}"
position = "{pos}"
places = {POSITIONS[pos]!r}
areas = {areas!r}
sides = "{rng.choice(["both", "each"])}"
gentleness = {rng.randint(1, 3)}
purpose = "A generated exercise for benchmarking."
steps = ["Get into position.", "Move gently.", "Hold and breathe."]
cautions = ["Stop if it hurts."]

[dose]
hold_s = {rng.choice([5, 10, 15, 20, 30, 45, 60])}
reps = {rng.randint(1, 5)}
rest_s = {rng.choice([0, 3, 5, 10])}
note = "Generated."

[[sources]]
doc = "002_0d052247460285cc.txt"
'''.replace("'", '"')
        (out / f"gen-{i}.toml").write_text(text)


if __name__ == "__main__":
    main()
