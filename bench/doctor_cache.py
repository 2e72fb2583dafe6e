"""`llmenv doctor --offline` with a cold and with a warm interpreter cache: medians of repeated runs.

Each cold run gets an empty cache folder (XDG_CACHE_HOME), so every interpreter is asked for its facts; warm runs
share one folder filled by an untimed first run, so unchanged interpreters are answered from the cache. Bytecode
is allowed (PYTHONDONTWRITEBYTECODE removed), as on a user's machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time


def seconds(env: dict[str, str]) -> float:
    start = time.perf_counter()
    # doctor exits 1 when a check fails; that is a result, not a benchmark error.
    subprocess.run([sys.executable, "-m", "llmenv", "doctor", "--offline"], env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cold = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            cold.append(seconds(base | {"XDG_CACHE_HOME": folder}))
    with tempfile.TemporaryDirectory() as folder:
        env = base | {"XDG_CACHE_HOME": folder}
        seconds(env)
        warm = [seconds(env) for _ in range(runs)]
    in_cold, in_warm = in_process(runs)
    from llmenv.probe.interpreters import probe_interpreters

    count = len(probe_interpreters().interpreters)
    print(f"| `llmenv doctor --offline`, cold interpreter cache | {statistics.median(cold) * 1000:.0f} ms |")
    print(f"| `llmenv doctor --offline`, warm interpreter cache | {statistics.median(warm) * 1000:.0f} ms |")
    print(f"| `doctor()` in-process (no startup, no imports), cold cache | {in_cold * 1000:.0f} ms |")
    print(f"| `doctor()` in-process (no startup, no imports), warm cache | {in_warm * 1000:.0f} ms |")
    print(f"({count} interpreters found; {runs} runs each, medians)")


def in_process(runs: int) -> tuple[float, float]:
    """The doctor workflow alone, without interpreter start-up and imports (which load-noise dominates)."""
    from llmenv.workflow.doctor import doctor

    cold, warm = [], []
    with tempfile.TemporaryDirectory() as shared:
        os.environ["XDG_CACHE_HOME"] = shared
        doctor(None, None, offline=True)
        for _ in range(runs):
            start = time.perf_counter()
            doctor(None, None, offline=True)
            warm.append(time.perf_counter() - start)
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["XDG_CACHE_HOME"] = folder
            start = time.perf_counter()
            doctor(None, None, offline=True)
            cold.append(time.perf_counter() - start)
    return statistics.median(cold), statistics.median(warm)


if __name__ == "__main__":
    main()
