"""The README's quick start, run literally (its bash blocks, in order) in a fresh clone: install llmenv, put it on
PATH, `llmenv setup` (the default profile: torch + transformers, and the smoke training), activate and import, then
the "next" commands. Only the data source is pointed at the local IMDB subset ($LLMENV_IMDB, a documented
setting), because the official download host is unreachable here; packages come through this machine's pip
configuration (its local wheelhouse), as a user's would come through theirs; that wheelhouse holds torch for one
Python, so the `python3` found first on PATH is the interpreter running the tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def quick_start_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.*?)^```", section, re.S | re.M)


def test_quick_start_from_a_fresh_clone(tmp_path: Path, imdb_mini: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "llmenv"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    blocks = quick_start_blocks()
    assert len(blocks) == 4 and "llmenv setup" in blocks[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST_"))}
    env["LLMENV_IMDB"] = str(imdb_mini)
    # The local wheelhouse holds torch for this interpreter's Python only (cp311 here): its `python3` comes first.
    env["PATH"] = f"{Path(sys.executable).resolve().parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "-c", "set -eo pipefail\n" + "\n".join(blocks)],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert re.search(r"^2\.13\.0\+\w+ 5\.20\.2$", done.stdout, re.M), out[-4000:]  # the activated env's imports
    assert "IMDB smoke test (transformers) passed" in done.stdout
    assert "use it (bash): source .venv/bin/activate" in done.stdout
    assert re.search(r"^transformers\b", done.stdout, re.M)  # `llmenv profiles list`
    assert (clone / ".venv").is_symlink() and (clone / ".venv.llmenv" / ".gitignore").is_file()
