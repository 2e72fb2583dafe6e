"""The plain console (no rich import) prints exactly what rich's console printed where nothing can be styled."""

from __future__ import annotations

import sys

import pytest

from llmenv.report import console
from llmenv.report.console import PlainConsole, _safe_console, stderr_console, stdout_console

OPTIONS = {"markup": False, "highlight": False, "emoji": False, "soft_wrap": True}
SAMPLES = [
    ("plain line",),
    ("two", "strings"),
    ("tensorflow[and-cuda] [bold]not markup[/bold] :smile:",),
    ("control \x1b[31m and \u202e reordering, a tab\there",),
    ("multi\nline\n  indented",),
    ("中文路径 /tmp/数据 " + "x" * 300,),
    ("",),
]


@pytest.mark.parametrize("objects", SAMPLES)
@pytest.mark.parametrize("kwargs", [{}, {"end": ""}, {"sep": " | "}])
def test_the_same_text_as_rich(
    objects: tuple[str, ...], kwargs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _safe_console(no_color=True, **OPTIONS).print(*objects, **kwargs)
    theirs = capsys.readouterr().out
    PlainConsole(False, **OPTIONS).print(*objects, **kwargs)
    assert capsys.readouterr().out == theirs


def test_a_table_still_goes_to_rich(capsys: pytest.CaptureFixture[str]) -> None:
    from rich.table import Table

    table = Table("name", "value")
    table.add_row("a", "1")
    PlainConsole(True, **OPTIONS).print(table)
    err = capsys.readouterr().err
    assert "name" in err and "a" in err and "1" in err


def test_piped_output_uses_the_plain_console_and_no_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert isinstance(stdout_console(), PlainConsole)
    assert isinstance(stderr_console(), PlainConsole)


def test_a_terminal_keeps_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR on a terminal still lets rich draw (bold, tables fitted to the width): only colour is off."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(console.sys.stdout, "isatty", lambda: True, raising=False)
    assert not isinstance(stdout_console(), PlainConsole)
