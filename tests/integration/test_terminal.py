"""llmenv in a real terminal (tmux): the final screen holds the expected lines and no fragments, the raw byte stream
shows one live region at a time, and Ctrl-C reads as an interruption. What a person sees, checked as they see it."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.index_server import IndexServer
from tests.helpers.tmux import SPINNER, Pane, final_lines, live_regions, pane_env
from tests.integration.test_setup import index, profile, wheels

__all__ = ["index", "wheels"]  # fixtures used by name

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    folder = tmp_path / "pane"
    folder.mkdir()
    terminal = Pane(folder)
    yield terminal
    terminal.close()


def small_imdb(tarball: Path, out: Path, train: int, test: int) -> Path:
    """The first `train`/`test` reviews of the real subset, balanced, as a CSV (text, label, split)."""
    import csv
    import tarfile

    want = {
        (split, label): (train if split == "train" else test) // 2
        for split in ("train", "test")
        for label in ("pos", "neg")
    }
    rows = []
    with tarfile.open(tarball) as archive:
        for member in archive:
            parts = member.name.split("/")
            key = (parts[-3], parts[-2]) if len(parts) >= 3 else None
            if member.isfile() and key in want and want[key] > 0:
                want[key] -= 1
                handle = archive.extractfile(member)
                assert handle is not None
                rows.append((handle.read().decode("utf-8"), key[1], key[0]))
            if not any(want.values()):
                break
    with out.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["text", "label", "split"])
        writer.writerows(rows)
    return out


def llmenv(*args: str) -> list[str]:
    return [sys.executable, "-m", "llmenv", *args]


def assert_one_writer(snapshots: list[str], raw: str, regions: int) -> None:
    """Never two live writers: live regions open and close in turn (the old spinner + epoch bar nested), no
    snapshot shows two spinners, and the final screen keeps none."""
    order = live_regions(raw)
    assert order == ["l", "h"] * regions, order
    for snap in snapshots:
        assert sum(1 for line in snap.splitlines() if SPINNER.search(line)) <= 1, snap
    assert not SPINNER.search(snapshots[-1]), snapshots[-1]


def test_setup_in_a_terminal(pane: Pane, index: IndexServer, tmp_path: Path) -> None:
    """Failed before: uv's own text in the spinner ("… with uv: Using Python 3.11.7 environment at:")."""
    env = tmp_path / "env"
    index.slow["beta"] = 2.0  # long enough to see the install phase on screen
    pane.start(
        llmenv("setup", str(profile(tmp_path, "alpha==1.0", "beta==1.0")), "--env", str(env)), pane_env(), tmp_path
    )
    code, snaps = pane.wait_exit()
    assert code == 0, snaps[-1]
    lines = final_lines(snaps[-1])
    assert any(line.startswith("   done: installing 2 packages with uv (") for line in lines), lines
    assert any(line.startswith(f"Created {env} -> ") for line in lines), lines
    assert "use it (bash): source env/bin/activate" in lines  # relative: the pane works in tmp_path
    assert any(line.startswith("next: llmenv doctor --env env ") for line in lines)
    assert not any("environment at" in snap or "Resolved" in snap for snap in snaps)
    assert_one_writer(snaps, pane.raw_stream(), regions=1)


def test_ctrl_c_in_a_terminal(pane: Pane, index: IndexServer, tmp_path: Path) -> None:
    """Failed before: the last line was "FAILED: installing…"."""
    env = tmp_path / "env"
    index.slow["beta"] = 60.0
    pane.start(
        llmenv("setup", str(profile(tmp_path, "alpha==1.0", "beta==1.0")), "--env", str(env)), pane_env(), tmp_path
    )
    pane.wait_for("installing 2 packages")
    pane.send("C-c")
    code, snaps = pane.wait_exit(timeout=60)
    assert code == 130, snaps[-1]
    lines = final_lines(snaps[-1])
    assert lines[-1] == f"interrupted; {env} is unchanged (no environment there yet)", lines
    assert any(line.startswith("   interrupted: installing 2 packages") for line in lines), lines
    assert "FAILED" not in snaps[-1] and "Traceback" not in snaps[-1]
    assert_one_writer(snaps, pane.raw_stream(), regions=1)


@pytest.mark.parametrize("width", [160, 80])
def test_doctor_in_a_terminal(pane: Pane, tmp_path: Path, width: int) -> None:
    """Wide: a table; narrow (no room for one): one finding per line. Either way no finding is cut."""
    pane.width = width
    pane.start(llmenv("doctor", "--offline"), pane_env(), tmp_path)
    code, snaps = pane.wait_exit(timeout=120)
    assert code in (0, 1), snaps[-1]
    lines = final_lines(snaps[-1])
    assert lines[0].startswith("llmenv doctor: profile transformers")
    assert lines[-1].startswith("Verdict: ")
    for finding in ("python.on-path", "platform.arch", "network.index"):
        assert any(f"[{finding}]" in line for line in lines), (finding, lines)
    if width == 80:
        assert all(line.split()[0] in ("ok", "WARN", "FAIL", "skip") for line in lines[1:-1]), lines
    assert live_regions(pane.raw_stream()) == []


@pytest.mark.slow
def test_setup_and_smoke_in_a_terminal(pane: Pane, imdb_mini: Path, tmp_path: Path) -> None:
    """Failed before: the spinner and the epoch bar overwrote each other at every refresh, and a fragment stayed on
    the final screen ("⠙ running the IMDB smoke test-> training torch (2.13.0+cpu) on cpu: 2000 train /").
    torch comes from the local wheelhouse through this machine's pip configuration, as in the other torch tests."""
    # A display test, not an accuracy test: 1,200 real reviews keep it short on a loaded 2-core machine.
    data = small_imdb(imdb_mini, tmp_path / "imdb-small.csv", train=1000, test=200)
    spec = tmp_path / "torch-display.yaml"
    spec.write_text(
        "name: torch-display\nextends: torch\nsmoke:\n  framework: torch\n  dataset: imdb\n  min_accuracy: 0.0\n"
        "  time_budget_s: 900\n"
    )
    env = tmp_path / "env"
    pane.start(llmenv("setup", str(spec), "--env", str(env), "--data", str(data)), pane_env(), tmp_path)
    during = pane.wait_for(r"epoch \d/\d+ .*steps", timeout=600, every=0.1)  # the bar, inside the live region
    code, snaps = pane.wait_exit(timeout=900)
    assert code == 0, snaps[-1]
    lines = final_lines(snaps[-1])
    assert any(line.startswith("-> training torch (") for line in lines), lines
    assert any(re.match(r"   epoch 1/\d+: loss ", line) for line in lines)
    assert any(line.startswith("   done: running the IMDB smoke test (") for line in lines)
    assert any(line.startswith("IMDB smoke test (torch) passed") for line in lines)
    assert not any(re.search(r"\d+/\d+ steps", line) for line in lines), lines  # the bar went with the region
    assert not any(re.search(r"\S.*-> training", line) for line in lines), lines  # no line holds part of another
    assert_one_writer([*during, *snaps], pane.raw_stream(), regions=1)


@pytest.mark.slow
def test_smoke_in_a_terminal(pane: Pane, torch_env: Path, imdb_mini: Path, tmp_path: Path) -> None:
    """`llmenv smoke` alone: the same single live region (phase, bar), collapsed to the epoch lines at the end."""
    # A display test, not an accuracy test: 1,200 real reviews keep it short on a loaded 2-core machine.
    data = small_imdb(imdb_mini, tmp_path / "imdb-small.csv", train=1000, test=200)
    spec = tmp_path / "torch-display.yaml"
    spec.write_text(
        "name: torch-display\nextends: torch\nsmoke:\n  framework: torch\n  dataset: imdb\n  min_accuracy: 0.0\n"
        "  time_budget_s: 900\n"
    )
    argv = llmenv("smoke", "--env", str(torch_env), "--profile", str(spec), "--data", str(data), "--epochs", "2")
    pane.start(argv, pane_env(), tmp_path)
    during = pane.wait_for(r"epoch 1/2 .*steps", timeout=300, every=0.1)  # the bar, inside the live region
    code, snaps = pane.wait_exit(timeout=600)
    assert code == 0, snaps[-1]
    lines = final_lines(snaps[-1])
    assert any(line.startswith("-> training torch (") for line in lines), lines
    assert any(line.startswith("   epoch 1/2: loss ") for line in lines)
    assert any(line.startswith("   epoch 2/2: loss ") for line in lines)
    assert any(line.startswith("   done: running the IMDB smoke test in ") for line in lines)
    assert not any(re.search(r"\d+/\d+ steps", line) for line in lines), lines  # the bar went with the region
    assert not any(re.search(r"\S.*-> training", line) for line in lines), lines  # no line holds part of another
    assert_one_writer([*during, *snaps], pane.raw_stream(), regions=1)
