"""Piped output (a file, a CI log, `| grep`): one fact or finding per line, never wrapped or cut, whatever COLUMNS
says; every number with its unit. The real CLI runs as a subprocess with stdout on a pipe, as a user's pipe is."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path, columns: str = "80") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": columns}
    env.pop("NO_COLOR", None)  # piped alone must be enough to get plain lines
    return subprocess.run(
        [sys.executable, "-m", "llmenv", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def deep(tmp_path: Path) -> Path:
    """A working folder with a long path, so any wrapping at 80 columns would split it."""
    folder = tmp_path / ("a-rather-long-project-folder-name-" * 3) / "work"
    folder.mkdir(parents=True)
    return folder


def test_piped_doctor_prints_each_finding_whole_on_one_line(deep: Path) -> None:
    """Failed before: a table cut at 80 columns, paths split mid-word across lines."""
    data = json.loads(run("doctor", "--json", "--offline", cwd=deep).stdout)
    plain = run("doctor", "--offline", cwd=deep)
    lines = plain.stdout.splitlines()
    for finding in data["findings"]:
        if finding["status"] == "ok" and finding["area"] == "disk":
            continue  # ok disk findings are shown with -v only
        (line,) = [line for line in lines if f"[{finding['id']}]" in line]
        assert finding["title"] in line
        assert " ".join(finding["evidence"].split()) in line, (finding["evidence"], line)
        if finding["fix"] and finding["status"] in ("warn", "fail"):
            assert " ".join(finding["fix"].split()) in line
    assert any(line.startswith("Verdict: ") for line in lines)


def test_piped_probe_prints_each_fact_whole_with_units(deep: Path) -> None:
    """Failed before: the table folded paths at 80 columns, and "77,942 MB free of 258,019" had no unit on the
    total."""
    facts = json.loads(run("probe", "--json", "--offline", cwd=deep).stdout)["facts"]
    plain = run("probe", "--offline", cwd=deep).stdout
    for interpreter in facts["interpreters"]["value"]["interpreters"]:
        assert interpreter["executable"] in plain
    disk = [line for line in plain.splitlines() if line.startswith("disk ")]
    assert disk
    for line in disk:
        assert re.search(r"[\d.]+ [KMGT]iB free of [\d.]+ [KMGT]iB", line), line
        assert str(deep) in line or "tmp" in line or "cache" in line
