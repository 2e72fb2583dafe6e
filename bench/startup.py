"""CLI wall times against `python -c pass`: `--help`, `profiles list`, `probe`, `doctor`; medians of repeated runs."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median_seconds(argv: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        # doctor exits 1 when a check fails; that is a result, not a benchmark error.
        subprocess.run(argv, check=False, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    base = median_seconds([sys.executable, "-c", "pass"], runs)
    help_ = median_seconds([sys.executable, "-m", "llmenv", "--help"], runs)
    print(f"| python -c pass | {base * 1000:.0f} ms | 1.00x |")
    print(f"| llmenv --help | {help_ * 1000:.0f} ms | {help_ / base:.2f}x |")
    for args in (["profiles", "list", "--json"], ["probe", "--json"], ["doctor", "--offline"], ["doctor"]):
        seconds = median_seconds([sys.executable, "-m", "llmenv", *args], max(3, runs // 2))
        print(f"| llmenv {' '.join(args)} | {seconds * 1000:.0f} ms | {seconds / base:.2f}x |")


if __name__ == "__main__":
    main()
