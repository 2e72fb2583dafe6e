"""`llmenv report merge` over doctor reports: a real report from this machine, and nodes derived from it that
differ the way cluster nodes do (an older glibc, another CUDA toolkit, a failing GPU check)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from llmenv.report.schemas import SCHEMAS
from tests.conftest import REPO, CliResult

RECORDED = REPO / "tests" / "data" / "doctor-json-this-machine.json"


def nodes(tmp_path: Path) -> list[Path]:
    base = json.loads(RECORDED.read_text())
    odd = copy.deepcopy(base)
    odd["facts"]["system"]["value"]["libc_version"] = "2.31"
    odd["facts"]["cuda_toolkit"]["value"]["version"] = "12.4"
    odd["facts"]["system"]["seconds"] = 9.9  # volatile: never a difference
    odd["facts"]["system"]["value"]["memory_available_mb"] = 1
    for finding in odd["findings"]:
        if finding["id"] == "gpu.nvidia":
            finding["status"] = "fail"
    odd["verdict"] = "fail"
    files = []
    for name, report in (("node01", base), ("node02", base), ("node03", odd)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(report))
        files.append(path)
    return files


def test_merge_names_the_node_that_differs_and_how(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("report", "merge", *map(str, nodes(tmp_path)), "--json")
    assert result.code == 1, result.err
    report: dict[str, Any] = json.loads(result.out)
    jsonschema.Draft202012Validator(SCHEMAS["merge"]).validate(report)
    assert report["nodes"] == ["node01", "node02", "node03"] and report["same"] is False
    differences = {d["key"]: (d["baseline"], d["nodes"]) for d in report["differences"]}
    assert differences == {
        "verdict": (json.loads(RECORDED.read_text())["verdict"], {"node03": "fail"}),
        "finding gpu.nvidia": ("ok", {"node03": "fail"}),
        "system.libc_version": ("2.36", {"node03": "2.31"}),
        "cuda_toolkit.version": ("13.0", {"node03": "12.4"}),
    }
    table = cli("report", "merge", *map(str, nodes(tmp_path)))
    assert "4 differ" in table.out and "node03: 2.31" in table.out and "node01" not in table.out.split("\n", 1)[1]


def test_identical_nodes_agree_with_exit_0(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    files = nodes(tmp_path)[:2]
    result = cli("report", "merge", *map(str, files))
    assert result.code == 0 and "all nodes agree" in result.out


def test_a_file_that_is_not_a_doctor_report_is_refused_clearly(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    smoke = tmp_path / "smoke.json"
    smoke.write_text(json.dumps({"schema": "llmenv.smoke/1"}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for path, words in ((smoke, "is not an llmenv doctor report"), (broken, "cannot read")):
        result = cli("report", "merge", str(nodes(tmp_path)[0]), str(path))
        assert result.code == 2 and words in result.err and "Traceback" not in result.err
