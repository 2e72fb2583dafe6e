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


def run(*args: str, cwd: Path, columns: str | None = "80") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": columns or ""}
    if columns is None:
        env.pop("COLUMNS")
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


@pytest.mark.parametrize("columns", [None, "80"])
def test_piped_profiles_list_prints_each_profile_whole_on_one_line(deep: Path, columns: str | None) -> None:
    """Failed before: a table folded at 80 columns, each description split over up to a dozen lines."""
    from llmenv.profiles.load import load_profile

    (deep / "profiles").mkdir()
    (deep / "profiles" / "mine.yaml").write_text(
        "name: mine\nextends: torch\ndescription: my team's torch profile, with a description long enough that any "
        "wrapping at eighty columns would split it\n"
    )
    listed = run("profiles", "list", cwd=deep, columns=columns)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for name in ("torch", "tf", "full", "mine"):
        description = load_profile(name, cwd=deep).description
        (line,) = [line for line in lines if line.split()[:1] == [name]]
        assert description in line, (description, line)


@pytest.mark.parametrize("columns", [None, "80"])
def test_piped_report_merge_prints_each_differing_key_whole_on_one_line(
    deep: Path, tmp_path: Path, columns: str | None
) -> None:
    """Failed before: the merge table folded a node's long value over four lines at 80 columns."""
    report = json.loads(run("doctor", "--json", "--offline", cwd=deep).stdout)
    (deep / "a.json").write_text(json.dumps(report))
    distro = "Debian GNU/Linux 12 (bookworm) with a vendor suffix long enough to wrap at eighty columns"
    report["facts"]["system"]["value"]["distro"] = distro
    (deep / "b.json").write_text(json.dumps(report))
    merged = run("report", "merge", "a.json", "b.json", cwd=deep, columns=columns)
    lines = merged.stdout.splitlines()
    (line,) = [line for line in lines if line.startswith("system.distro")]
    assert f"b: {distro}" in line, merged.stdout
    assert lines[0].startswith("llmenv report merge: 2 nodes")
    every = run("report", "merge", "a.json", "b.json", "--all", cwd=deep, columns=columns).stdout.splitlines()
    assert any(line.startswith("system.distro") and distro in line for line in every)
    assert len(every) > 10
