"""A smoke-test time budget that fits the machine it runs on.

Why: the setup with its smoke test took about a minute on a quiet machine but 178-424 s under load, within 30 s of
torch's 300 s budget: a healthy stack failed its check because the machine was busy. So before training, a short
calibration (a fixed piece of pure-Python work, three times, about 60 ms on a quiet machine) measures how much
slower than the reference this machine is right now (a slower CPU, or cores shared with other work), and the
profile's budget is scaled by that factor, never below the profile's own figure and at most 4 times it. The
accuracy floor is not touched: a slow machine gets more time, not an easier test. The scaling is said.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Wall seconds of one `_work()` on the reference machine when quiet: the llmenv build machine's CPU time for it
# (2026-12, CPython 3.11: 17-20 ms; CPU time does not grow with load, so it stands in for a quiet run).
REFERENCE_S = 0.020
ROUNDS = 3
MAX_FACTOR = 4.0
SAY_FROM = 1.25  # below this the machine is as fast as the reference, give or take noise: no change, no line


def _work() -> int:
    total = 0
    for i in range(300_000):
        total += i * i % 7
    return total


def calibrate(clock: Callable[[], float] = time.perf_counter, work: Callable[[], object] = _work) -> float:
    """Median wall seconds of the reference work, over ROUNDS runs (one outlier does not decide)."""
    times = []
    for _ in range(ROUNDS):
        start = clock()
        work()
        times.append(clock() - start)
    return sorted(times)[len(times) // 2]


@dataclass(frozen=True)
class Budget:
    seconds: float
    factor: float
    note: str | None  # what to tell the user when the budget was raised


def fit_budget(profile_s: float, measured_s: float, reference_s: float = REFERENCE_S) -> Budget:
    """The profile's budget scaled to this machine: factor = measured / reference, within [1, MAX_FACTOR]."""
    factor = min(MAX_FACTOR, max(1.0, measured_s / reference_s)) if reference_s > 0 else 1.0
    if factor < SAY_FROM:
        return Budget(profile_s, 1.0, None)
    seconds = round(profile_s * factor)
    note = (
        f"this machine is {factor:.1f}x slower than the reference right now (a calibration of "
        f"{reference_s * 1000:.0f} ms took {measured_s * 1000:.0f} ms: busy or slow), so the smoke test gets "
        f"{seconds} s instead of {profile_s:.0f} s; its accuracy bar is unchanged"
    )
    return Budget(seconds, factor, note)


__all__ = ["MAX_FACTOR", "REFERENCE_S", "Budget", "calibrate", "fit_budget"]
