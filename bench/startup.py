"""Start-up time of `llmenv --help` against `python -c pass`: median of repeated runs, printed as a table row."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    base = median_seconds([sys.executable, "-c", "pass"], runs)
    help_ = median_seconds([sys.executable, "-m", "llmenv", "--help"], runs)
    listing = median_seconds([sys.executable, "-m", "llmenv", "profiles", "list", "--json"], runs)
    print(f"| python -c pass | {base * 1000:.0f} ms | 1.00x |")
    print(f"| llmenv --help | {help_ * 1000:.0f} ms | {help_ / base:.2f}x |")
    print(f"| llmenv profiles list --json | {listing * 1000:.0f} ms | {listing / base:.2f}x |")


if __name__ == "__main__":
    main()
