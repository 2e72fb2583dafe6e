"""`llmenv report merge` over doctor reports: a real report from this machine, and nodes derived from it that
differ the way cluster nodes do (an older glibc, another CUDA toolkit, a failing GPU check)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from llmenv.report.documents import schemas
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
    jsonschema.Draft202012Validator(schemas()["merge"]).validate(report)
    assert list(report) == ["schema", "llmenv_version", "nodes", "same", "keys", "differences", "verdicts",
                            "per_node", "differ", "failed"]  # fmt: skip
    assert list(report["per_node"]["node03"]) == ["setup", "accelerator", "build", "driver", "doctor", "problem"]
    assert report["nodes"] == ["node01", "node02", "node03"] and report["same"] is False
    differences = {d["key"]: (d["baseline"], d["nodes"]) for d in report["differences"]}
    assert differences == {
        "verdict": (json.loads(RECORDED.read_text())["verdict"], {"node03": "fail"}),
        "finding gpu.nvidia": ("ok", {"node03": "fail"}),
        "system.libc_version": ("2.36", {"node03": "2.31"}),
        "cuda_toolkit.version": ("13.0", {"node03": "12.4"}),
    }
    table = cli("report", "merge", *map(str, nodes(tmp_path)))
    keys = table.out.split("\nKEY", 1)[1]
    assert "4 differ" in table.out and "node03: 2.31" in keys and "node01" not in keys


def test_identical_nodes_agree_with_exit_0(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    files = nodes(tmp_path)[:2]
    result = cli("report", "merge", *map(str, files))
    assert result.code == 0 and "all nodes agree" in result.out


def test_a_file_that_is_not_a_doctor_report_is_refused_clearly(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    smoke = tmp_path / "smoke.json"
    smoke.write_text(json.dumps({"schema": "llmenv.smoke/1"}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for path, words in ((smoke, "is not an llmenv doctor report"), (broken, "not valid JSON")):
        result = cli("report", "merge", str(nodes(tmp_path)[0]), str(path))
        assert result.code == 2 and words in result.err and "Traceback" not in result.err


def setup_report(status: str = "created", code: int = 0) -> dict[str, Any]:
    return {"schema": "llmenv.setup/1", "status": status, "exit_code": code}


def test_each_node_gets_a_line_with_setup_accelerator_build_driver(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The per-node lines: setup status from the setup folder, the driver from the NVIDIA facts; a node whose setup
    failed fails even though its doctor report looks like the others'."""
    files = nodes(tmp_path)
    gpu = json.loads(files[1].read_text())
    gpu["facts"]["nvidia"]["value"] = {"driver": "550.54.14", "gpus": []}
    files[1].write_text(json.dumps(gpu))
    setups = tmp_path / "setup"
    setups.mkdir()
    (setups / "node01.json").write_text(json.dumps(setup_report()))
    (setups / "node02.json").write_text(json.dumps(setup_report("up-to-date")))
    error = {"schema": "llmenv.error/1", "status": "error", "exit_code": 2,
             "error": {"type": "BundleError", "message": "cannot read bundle /shared/x.tar", "where": None, "fix": None}}  # fmt: skip
    (setups / "node03.json").write_text(json.dumps(error))
    result = cli("report", "merge", *map(str, files), "--setup", str(setups), "--json")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    jsonschema.Draft202012Validator(schemas()["merge"]).validate(report)
    per = report["per_node"]
    assert [per[n]["setup"] for n in ("node01", "node02", "node03")] == ["created", "up-to-date", "failed (exit 2)"]
    assert per["node01"]["driver"] == "-" and per["node02"]["driver"] == "550.54.14"
    assert "cannot read bundle /shared/x.tar" in per["node03"]["problem"] and per["node01"]["problem"] is None
    assert report["failed"] == ["node03"] and report["differ"] == ["node02", "node03"] and report["same"] is False
    text = cli("report", "merge", *map(str, files), "--setup", str(setups))
    assert "node node03 fails: setup failed (exit 2): cannot read bundle /shared/x.tar" in text.out
    assert "nodes that differ from the others: node02, node03" in text.out


def test_nodes_that_all_fail_alike_do_not_agree(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Failed before: every node failing the same way compared equal, exit 0, so a job whose bundle was missing on
    every node passed."""
    base = json.loads(RECORDED.read_text())
    base["verdict"] = "fail"
    for finding in base["findings"]:
        if finding["id"] == "gpu.nvidia":
            finding["status"] = "fail"
    files = []
    for name in ("n1", "n2"):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(base))
    result = cli("report", "merge", *map(str, files), "--json")
    assert result.code == 1 and json.loads(result.out)["failed"] == ["n1", "n2"]
    assert "gpu.nvidia" in json.loads(result.out)["per_node"]["n1"]["problem"]


def test_an_expected_node_without_reports_fails_by_name(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    files = nodes(tmp_path)[:2]
    setups = tmp_path / "setup"
    setups.mkdir()
    (setups / "node01.json").write_text(json.dumps(setup_report()))
    (setups / "node02.json").write_text("")  # the step was killed before setup printed anything
    args = ["--setup", str(setups), "--expect", "node01", "--expect", "node02", "--expect", "node09"]
    result = cli("report", "merge", *map(str, files), *args, "--json")
    report = json.loads(result.out)
    assert result.code == 1 and report["nodes"] == ["node01", "node02", "node09"]
    assert report["failed"] == ["node02", "node09"]
    assert "no setup report" in report["per_node"]["node02"]["problem"]
    assert "no doctor report" in report["per_node"]["node09"]["problem"]
    assert cli("report", "merge").code == 2


def test_a_gpu_among_nodes_without_one_differs_by_its_facts_only(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Failed before: the GPU node's facts read "(absent)" on the others, and the others' null `nvidia` made a row
    of its own (`nvidia  -  n3: (absent)`)."""
    base = json.loads(RECORDED.read_text())
    assert base["facts"]["nvidia"]["value"] is None
    gpu = copy.deepcopy(base)
    gpu["facts"]["nvidia"]["value"] = {"driver": "550.54.14", "max_cuda": "12.4", "gpus": [{"name": "A100"}]}
    files = []
    for name, report in (("n1", base), ("n2", base), ("n3", gpu)):
        files.append(tmp_path / f"{name}.json")
        files[-1].write_text(json.dumps(report))
    report = json.loads(cli("report", "merge", *map(str, files), "--json").out)
    nvidia = {d["key"]: (d["baseline"], d["nodes"]) for d in report["differences"] if d["key"].startswith("nvidia")}
    assert nvidia == {
        "nvidia.driver": ("-", {"n3": "550.54.14"}),
        "nvidia.max_cuda": ("-", {"n3": "12.4"}),
        "nvidia.gpus[0].name": ("-", {"n3": "A100"}),
    }
