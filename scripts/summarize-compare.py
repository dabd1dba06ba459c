#!/usr/bin/env python3
"""Summarizes the CSV of `cargo run --release -p ssl-core --example compare` as the table of
findings (b), (c) and (e) in the README: mean, range over seeds, and whether each holds on
every seed. Reads the CSV on standard input."""
import csv
import sys
from collections import defaultdict

rows = list(csv.DictReader(sys.stdin))
v = defaultdict(dict)  # (finding, dataset, variant, when, measure) -> {seed: value}
for r in rows:
    v[(r["finding"], r["dataset"], r["variant"], r["when"], r["measure"])][r["seed"]] = float(r["value"])


def stat(key):
    xs = list(v[key].values())
    if not xs:
        return "–"
    return f"{sum(xs) / len(xs):.3f} ({min(xs):.3f}–{max(xs):.3f})"


def every(a, b, cmp):
    sa, sb = v[a], v[b]
    seeds = sorted(set(sa) & set(sb))
    return bool(seeds) and all(cmp(sa[s], sb[s]) for s in seeds), len(seeds)


datasets = sorted({r["dataset"] for r in rows}, key=["digits", "mnist", "fashion", "synthetic"].index)
gt = lambda a, b: a > b
print("| data set | finding | measure | values: mean (min–max over seeds) | holds every seed |")
print("| --- | --- | --- | --- | --- |")
for d in datasets:
    b = lambda variant, m="ncc_test": ("b", d, variant, "trained" if variant != "untrained" else "0", m)
    print(f"| {d} | (b) | test NCC, untrained / balanced / invariance only / regularization only | "
          f"{stat(b('untrained'))} / {stat(b('balanced'))} / {stat(b('invariance'))} / {stat(b('regularization'))} | "
          f"regularization > invariance: {every(b('regularization'), b('invariance'), gt)[0]}; "
          f"balanced > untrained: {every(b('balanced'), b('untrained'), gt)[0]} |")
    print(f"| {d} | (b) | CDNV, balanced / invariance only / regularization only | "
          f"{stat(b('balanced', 'cdnv'))} / {stat(b('invariance', 'cdnv'))} / {stat(b('regularization', 'cdnv'))} | "
          f"regularization < invariance: {every(b('regularization', 'cdnv'), b('invariance', 'cdnv'), lambda x, y: x < y)[0]} |")
    print(f"| {d} | (b) | linear probe, balanced / invariance only / regularization only | "
          f"{stat(b('balanced', 'probe'))} / {stat(b('invariance', 'probe'))} / {stat(b('regularization', 'probe'))} | "
          f"regularization > invariance: {every(b('regularization', 'probe'), b('invariance', 'probe'), gt)[0]} |")
    for m in ["ncc", "probe"]:
        c = lambda r, when: ("c", d, f"r={r}", when, m)
        # The gap between semantic (r=0) and fully random (r=1) targets, per seed.
        gaps = {}
        for when in ["untrained", "trained"]:
            s0, s1 = v[c("0", when)], v[c("1", when)]
            gaps[when] = {s: s0[s] - s1[s] for s in s0 if s in s1}
        grew = all(gaps["trained"][s] > gaps["untrained"][s] for s in gaps["trained"])
        mono = every(c("0", "trained"), c("0.5", "trained"), gt)[0] and every(c("0.5", "trained"), c("1", "trained"), gt)[0]
        print(f"| {d} | (c) | {m} fit at r = 0 / 0.5 / 1, trained (untrained r=0 / 1) | "
              f"{stat(c('0', 'trained'))} / {stat(c('0.5', 'trained'))} / {stat(c('1', 'trained'))} "
              f"({stat(c('0', 'untrained'))} / {stat(c('1', 'untrained'))}) | "
              f"falls with r: {mono}; gap r0−r1 grew with training: {grew} |")
    layers = [k[2] for k in v if k[0] == "e" and k[1] == d and k[3] == "trained"]
    layers = list(dict.fromkeys(layers))
    e = lambda name, when: ("e", d, name, when, "ncc_test")
    enc = [n for n in layers if n in ("input", "encoder 1", "encoder 2", "embedding")]
    mono = all(every(e(b_, "trained"), e(a, "trained"), gt)[0] for a, b_ in zip(enc, enc[1:]))
    print(f"| {d} | (e) | test NCC by layer, trained: {', '.join(layers)} | "
          f"{' / '.join(stat(e(n, 'trained')) for n in layers)} | "
          f"rises input→embedding at every layer: {mono}; embedding > input: "
          f"{every(e('embedding', 'trained'), e('input', 'trained'), gt)[0]}; "
          f"embedding > projection: {every(e('embedding', 'trained'), e('projection', 'trained'), gt)[0]} |")

# (e), second reading: how much training raised each layer's test NCC, per seed.
print()
print("| data set | (e) gain in test NCC over training, by layer: mean (min–max) | projection gained more than the embedding on every seed |")
print("| --- | --- | --- |")
for d in datasets:
    names = list(dict.fromkeys(k[2] for k in v if k[0] == "e" and k[1] == d))
    gains = {}
    for n in names:
        after, before = v[("e", d, n, "trained", "ncc_test")], v[("e", d, n, "untrained", "ncc_test")]
        gains[n] = {s: after[s] - before[s] for s in after if s in before}
    cells = []
    for n in names:
        xs = list(gains[n].values())
        cells.append(f"{n} {sum(xs) / len(xs):+.3f} ({min(xs):+.3f}–{max(xs):+.3f})")
    deeper = all(gains["projection"][s] > gains["embedding"][s] for s in gains["projection"])
    print(f"| {d} | {'; '.join(cells)} | {deeper} |")
