"""The display's plain path (a pipe, a file, CI): one line per fact, so a slow run is never silent for minutes.

Events are the payload's real event shapes (verify/payloads/smoke_common.py), fed to the display as the runner
does; stderr is captured, and not a terminal, as in a pipe."""

from __future__ import annotations

import pytest

from llmenv.report.live import LiveDisplay

START = {
    "event": "start",
    "framework": "torch",
    "version": "2.13.0+cpu",
    "device": "cpu",
    "train": 5000,
    "test": 2000,
    "epochs": 1,
    "import_s": 2.1,
}
DATA = {
    "event": "data",
    "source": "--data /d/aclImdb-mini.tar.gz",
    "synthetic": False,
    "train": 5000,
    "test": 2000,
    "notes": [],
}


def plain(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> LiveDisplay:
    monkeypatch.setenv("NO_COLOR", "1")
    display = LiveDisplay()
    assert not display.tty
    capsys.readouterr()
    return display


def test_piped_smoke_prints_a_line_when_each_epoch_starts_and_the_data_it_uses(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: piped, the first line after "training" came when epoch 1 ended, minutes later on a loaded
    machine (or never, when the budget ran out first); the data event printed nothing."""
    display = plain(capsys, monkeypatch)
    display.event(DATA)
    display.event(START)
    for step in (1, 21, 41):
        display.event({"event": "step", "epoch": 1, "step": step, "steps": 157})
    display.event({"event": "step", "epoch": 2, "step": 1, "steps": 157})
    lines = capsys.readouterr().err.splitlines()
    assert any("data: --data /d/aclImdb-mini.tar.gz" in line and "5000 train" in line for line in lines), lines
    assert sum("epoch 1/1" in line and "157 steps" in line for line in lines) == 1, lines
    assert sum("epoch 2/1" in line for line in lines) == 1, lines


def test_one_epoch_is_not_one_epochs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before: "-> training torch ...: 5000 train / 2000 test reviews, 1 epochs"."""
    display = plain(capsys, monkeypatch)
    display.event(START)
    err = capsys.readouterr().err
    assert "1 epoch " in err and "1 epochs" not in err
    display.event({**START, "epochs": 5})
    assert "5 epochs" in capsys.readouterr().err


def test_piped_download_prints_progress_lines_whatever_the_chunk_sizes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: a line only when a chunk ended within 64 KiB of an 8 MiB boundary, so chunks of about 1 MiB
    printed almost nothing for an 80 MiB download, and nothing said it had finished."""
    display = plain(capsys, monkeypatch)
    total = 80 << 20
    for done in range(0, total, (1 << 20) + 12345):
        display.download(done, total)
    display.download(total, total)
    lines = [line for line in capsys.readouterr().err.splitlines() if "downloading" in line]
    assert 5 <= len(lines) <= 12, lines
    assert lines[-1].endswith("80 MiB of 80 MiB"), lines


def test_a_long_epoch_prints_its_progress_every_half_minute(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: piped, nothing came between an epoch's start and its end, minutes on a CPU with the full set
    (some CI systems end a job that prints nothing for ten minutes). A fast epoch still prints no step lines."""
    from llmenv.report import live

    clock = [1000.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])
    display = plain(capsys, monkeypatch)
    display.event({**START, "epochs": 2})
    for step in range(1, 1001):
        clock[0] += 0.125  # 125 s for the epoch (an exact binary fraction: no rounding at the 30 s marks)
        display.event({"event": "step", "epoch": 1, "step": step, "steps": 1000})
    lines = [line for line in capsys.readouterr().err.splitlines() if "step " in line and "steps" not in line]
    assert lines == [
        "   epoch 1/2: step 241/1000 (24%)",
        "   epoch 1/2: step 481/1000 (48%)",
        "   epoch 1/2: step 721/1000 (72%)",
        "   epoch 1/2: step 961/1000 (96%)",
    ], lines
    for step in range(1, 101):
        clock[0] += 0.125  # a 12.5 s epoch
        display.event({"event": "step", "epoch": 2, "step": step, "steps": 100})
    assert "step " not in capsys.readouterr().err.replace("100 steps", "")
