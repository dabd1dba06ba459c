"""scikit-learn's KSG estimator on the bench's own samples: the native reference column of the
benchmark table (scripts/bench.sh runs it).

    python3 scripts/bench_sklearn.py OUT

reads OUT/pairs-N.csv (written by `cargo run --release -p ssl-core --example bench_table`),
times `mutual_info_regression(x, y, n_neighbors=3)` (KSG's first estimator, Kraskov et al.
2004, as scikit-learn implements it: it scales x and y to unit variance and adds a tiny noise
first) and writes OUT/sklearn.json: one object per N, {key, median_ms, millis, value, version}.
"""

import glob
import json
import os
import re
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_selection import mutual_info_regression


def main(out):
    results = []
    paths = glob.glob(os.path.join(out, "pairs-*.csv"))
    for path in sorted(paths, key=lambda p: int(re.search(r"(\d+)\.csv$", p).group(1))):
        n = int(re.search(r"(\d+)\.csv$", path).group(1))
        data = np.loadtxt(path, delimiter=",", skiprows=1)
        x, y = data[:, :1], data[:, 1]
        warmup, timed = (2, 10) if n <= 2000 else (1, 5)
        millis = []
        for i in range(warmup + timed):
            started = time.perf_counter()
            value = mutual_info_regression(x, y, n_neighbors=3, random_state=0)[0]
            if i >= warmup:
                millis.append((time.perf_counter() - started) * 1000)
        results.append({
            "key": f"ksg-{n}",
            "median_ms": statistics.median(millis),
            "millis": millis,
            "value": float(value),
            "version": sklearn.__version__,
        })
        print(f"ksg-{n}: {statistics.median(millis):.1f} ms, {value:.4f} nats", file=sys.stderr)
    with open(os.path.join(out, "sklearn.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
