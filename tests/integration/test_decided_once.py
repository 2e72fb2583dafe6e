"""Each decision is made once per command (issue 17): the accelerator resolver, the managed CPython, the
interpreter choice and the mirror choice, counted where the plan maker calls them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import llmenv.plan.make as make
from tests.conftest import CliResult

DECISIONS = ("resolve", "managed_python", "choose_interpreter", "choose_mirrors")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counted: Counter[str] = Counter()
    for name in DECISIONS:
        real = getattr(make, name)

        def spy(*args: Any, _real: Callable[..., Any] = real, _name: str = name, **kwargs: Any) -> Any:
            counted[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(make, name, spy)
    return counted


@pytest.mark.parametrize(
    "args",
    [
        ("setup", "torch", "--dry-run", "--offline", "--env", "e"),
        ("doctor", "-p", "torch", "--offline"),
        ("export", "torch", "--format", "dockerfile", "--llmenv-spec", "llmenv==0.1.0"),
    ],
)
def test_each_decision_is_made_once_per_command(
    cli: Callable[..., CliResult], calls: Counter[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    result = cli(*args)
    assert result.code in (0, 1), result.err
    assert calls["resolve"] == 1 and calls["choose_mirrors"] == 1, calls
    assert calls["managed_python"] <= 1 and calls["choose_interpreter"] <= 1, calls
