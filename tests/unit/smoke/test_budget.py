"""The smoke budget fits the machine: a short calibration at the start scales the profile's time budget on a busy
or slow machine (said, capped), never lowers it, and never touches the accuracy bar. Fake clocks stand in for a
slow machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmenv.verify.smoke import budget as budget_module
from llmenv.verify.smoke.budget import MAX_FACTOR, REFERENCE_S, calibrate, fit_budget


def ticking(*durations: float) -> Any:
    """A clock whose successive (start, end) readings are `durations` apart."""
    readings: Iterator[float] = iter([t for d in durations for t in (0.0, d)])
    return lambda: next(readings)


def test_calibration_takes_the_median_of_three_rounds() -> None:
    done: list[int] = []
    assert calibrate(ticking(0.02, 0.5, 0.03), lambda: done.append(1)) == 0.03
    assert len(done) == 3


def test_a_quiet_reference_machine_keeps_the_profile_budget() -> None:
    fitted = fit_budget(300, REFERENCE_S)
    assert (fitted.seconds, fitted.factor, fitted.note) == (300, 1.0, None)
    assert fit_budget(300, REFERENCE_S / 3).seconds == 300  # a faster machine never gets less than the profile


def test_a_busy_machine_gets_more_time_and_is_told() -> None:
    """The issue's case: 178-424 s under load against torch's 300 s budget."""
    fitted = fit_budget(300, REFERENCE_S * 2.8)
    assert fitted.seconds == 840 and fitted.factor == pytest.approx(2.8)
    assert fitted.note is not None and "2.8x slower" in fitted.note and "840 s instead of 300 s" in fitted.note
    assert "accuracy bar is unchanged" in fitted.note


def test_the_factor_is_capped() -> None:
    assert fit_budget(300, REFERENCE_S * 50).seconds == 300 * MAX_FACTOR


@given(st.floats(1, 3600), st.floats(0.0001, 10))
def test_budget_is_never_below_the_profile_nor_above_the_cap(profile_s: float, measured: float) -> None:
    fitted = fit_budget(profile_s, measured)
    assert profile_s - 0.5 <= fitted.seconds <= profile_s * MAX_FACTOR + 0.5
    assert (fitted.note is None) == (fitted.factor == 1.0)


def test_the_smoke_run_gets_the_scaled_budget_and_the_same_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: Path
) -> None:
    """Through `llmenv smoke`'s workflow: a slow calibration (fake) raises the budget handed to the runner, the
    threshold stays the profile's, and the line is sent to the display."""
    from llmenv.verify.smoke import runner
    from llmenv.workflow.smoke import SmokeOptions, smoke

    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").write_text("")
    seen: dict[str, Any] = {}

    def fake_run(env: Path, framework: str, data: Any, **kwargs: Any) -> str:
        seen.update(kwargs)
        return "ran"

    monkeypatch.setattr(budget_module, "calibrate", lambda: REFERENCE_S * 3)
    monkeypatch.setattr(runner, "run_smoke", fake_run)
    events: list[dict[str, Any]] = []
    result = smoke(SmokeOptions(env=env, profile="torch", offline=True), events.append, lambda done, total: None)
    assert result == "ran"
    assert seen["budget_s"] == 900 and seen["threshold"] == 0.75  # torch: 300 s, 0.75
    budget_events = [e for e in events if e.get("event") == "budget"]
    assert len(budget_events) == 1 and "900 s instead of 300 s" in budget_events[0]["text"]
