"""Machine-readable outputs and exports: JSON against the published schemas, strict JUnit XML, GitHub annotations
and step summary, identical exit codes in every renderer, lint-clean Dockerfiles and workflows, hashed requirements
that pip installs with --require-hashes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest

from llmenv.report.documents import models, schemas
from llmenv.report.documents.parts import dump
from tests.conftest import REPO, CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel


def validate(name: str, text: str) -> dict[str, object]:
    """The printed document validates against its generated schema, and is its model dumped: read back through
    the model it comes out the same, key for key and in the same order."""
    data = json.loads(text)
    jsonschema.Draft202012Validator(schemas()[name]).validate(data)
    assert json.dumps(dump(models()[name].model_validate(data))) == json.dumps(data)
    return data


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "beta", "1.0", requires=("alpha>=1",))
    with serve(IndexServer(folder)) as server:
        config = tmp_path / "pip.conf"
        config.write_text(f"[global]\nindex-url = {server.url}\n")
        monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
        for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
            monkeypatch.delenv(name, raising=False)
        yield server


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(
        "name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['beta==1.0', 'alpha==1.0']\nchecks:\n  imports: [alpha, beta]\n"
    )
    return path


@pytest.fixture
def failing_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "bad-pip.conf"
    config.write_text(f"[global]\nindex-url = http://127.0.0.1:{port}/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)


def test_every_json_output_validates(
    cli: Callable[..., CliResult], index: IndexServer, tiny: Path, tmp_path: Path
) -> None:
    validate("doctor", cli("doctor", "--json", "--offline").out)
    validate("probe", cli("probe", "--json", "--offline").out)
    validate("setup", cli("setup", str(tiny), "--env", str(tmp_path / "e"), "--dry-run", "--json").out)
    real = validate("setup", cli("setup", str(tiny), "--env", str(tmp_path / "e"), "--json", "--skip-smoke").out)
    assert real["status"] == "created"
    again = validate("setup", cli("setup", str(tiny), "--env", str(tmp_path / "e"), "--json", "--skip-smoke").out)
    assert again["status"] == "up-to-date"
    printed = json.loads(cli("ci", "schema", "setup").out)
    assert printed == schemas()["setup"]


def test_junit_has_one_testcase_per_finding(cli: Callable[..., CliResult], failing_index: None, tmp_path: Path) -> None:
    junit = tmp_path / "reports" / "doctor.xml"
    result = cli("doctor", "--json", "--profile", "torch", "--junit", str(junit))
    findings = json.loads(result.out)["findings"]
    root = ET.parse(junit).getroot()  # a strict XML parser: malformed output raises
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "llmenv doctor"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f["id"] for f in findings]
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == [f["id"] for f in findings if f["status"] == "fail"] and "network.index.index-url" in failed
    assert suite.get("failures") == str(len(failed))
    failure = next(c for c in cases if c.get("name") == "network.index.index-url").find("failure")
    assert failure is not None and "fix:" in (failure.text or "")


def test_github_annotations_and_step_summary(
    cli: Callable[..., CliResult], failing_index: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    # A PATH entry listed twice is a warning on any host: the test must not depend on this machine's PATH.
    first = os.environ["PATH"].split(os.pathsep)[0]
    monkeypatch.setenv("PATH", os.pathsep.join([first, os.environ["PATH"]]))
    plain = cli("doctor", "--profile", "torch")
    assert any(
        line.startswith("::error title=llmenv doctor%3A index-url unreachable") for line in plain.out.splitlines()
    )
    assert any(line.startswith("::warning title=llmenv doctor%3A") for line in plain.out.splitlines())
    assert "path.duplicates" in plain.out
    text = summary.read_text()
    assert text.startswith("### ❌ llmenv doctor (profile torch): failed")
    assert "| ❌ | index-url unreachable (refused) `network.index.index-url` |" in text
    # With --json, annotations move to stderr so stdout stays one JSON document.
    as_json = cli("doctor", "--profile", "torch", "--json")
    json.loads(as_json.out)
    assert "::error title=" in as_json.err and text.count("### ") == 1 and summary.read_text().count("### ") == 2


def test_exit_codes_are_the_same_in_every_renderer(
    cli: Callable[..., CliResult], failing_index: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modes = [[], ["--json"], ["--junit", str(tmp_path / "j.xml")]]
    assert {cli("doctor", "--profile", "torch", *m).code for m in modes} == {1}
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npakages: []\n")
    assert {cli("doctor", "--profile", str(bad), *m).code for m in modes} == {2}
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "s.md"))
    assert cli("doctor", "--profile", "torch").code == 1
    error = cli("doctor", "--profile", str(bad))
    assert error.code == 2 and "::error title=llmenv::" in error.err


def test_cache_key_is_stable_and_follows_the_pins(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    first = cli("ci", "cache-key", "torch").out.strip()
    assert first == cli("ci", "cache-key", "torch").out.strip()
    assert first.startswith("llmenv-torch-cpu-py") and "-linux-" in first
    child = tmp_path / "mine.yaml"
    child.write_text("name: torch\nextends: transformers\npackages: ['numpy==2.2.5']\n")
    assert cli("ci", "cache-key", str(child)).out.strip() != first
    parts = validate("cache-key", cli("ci", "cache-key", "torch", "--json").out)
    assert list(parts)[:2] == ["key", "profile"] and list(parts)[-1] == "llmenv_version"
    assert parts["key"] == first and parts["requirements"][0] == "torch==2.13.0+cpu"


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} not installed (test extras)")
    return found


@pytest.mark.parametrize(
    ("accelerator", "base"), [("cpu", "FROM python:3."), ("cuda", "FROM nvidia/cuda:12.6.3-runtime")]
)
def test_exported_dockerfile_passes_hadolint(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, accelerator: str, base: str
) -> None:
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "550.54.15")  # a GPU stand-in: 550 + H100 plans cu126
    monkeypatch.setenv("LLMENV_GPU_CC", "9.0")
    out = tmp_path / "Dockerfile"
    assert cli("export", "torch", "--format", "dockerfile", "--accelerator", accelerator, "-o", str(out)).code == 0
    text = out.read_text()
    assert base in text and 'llmenv/bin/llmenv", "doctor", "--profile", "torch", "--env", "/opt/venv"' in text
    lint = subprocess.run([tool("hadolint"), "--failure-threshold", "info", str(out)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_action_and_exported_workflow_pass_actionlint(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    assert cli("export", "torch", "--format", "github-actions", "-o", str(workflows / "llmenv.yml")).code == 0
    lint = subprocess.run(
        [tool("actionlint"), str(workflows / "llmenv.yml")], capture_output=True, text=True, cwd=tmp_path
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    # action.yml is a composite action; actionlint checks its run steps when a workflow uses it locally.
    local = tmp_path / "local"
    (local / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(REPO / "action.yml", local / "action.yml")
    (local / ".github" / "workflows" / "use.yml").write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
        "      - uses: ./\n        with:\n          profile: torch\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=local, check=True)
    lint = subprocess.run([tool("actionlint")], capture_output=True, text=True, cwd=local)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_devcontainer_asks_for_gpus_only_for_cuda(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / ".devcontainer" / "devcontainer.json"
    assert cli("export", "torch", "--format", "devcontainer", "-o", str(out)).code == 0
    cpu = json.loads(out.read_text())
    assert cpu["build"]["dockerfile"] == "Dockerfile" and "runArgs" not in cpu
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "580.65.06")
    assert cli("export", "torch", "--format", "devcontainer", "--accelerator", "cuda", "-o", str(out)).code == 0
    cuda = json.loads(out.read_text())
    assert cuda["runArgs"] == ["--gpus", "all"] and cuda["hostRequirements"] == {"gpu": True}


def test_requirements_export_installs_with_require_hashes(
    cli: Callable[..., CliResult], index: IndexServer, tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "requirements.txt"
    assert cli("export", str(tiny), "--format", "requirements", "-o", str(out)).code == 0
    text = out.read_text()
    assert "alpha==1.0" in text and "--hash=sha256:" in text
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"} | {"PIP_CONSTRAINT": ""}
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--require-hashes", "-r", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run([str(venv / "bin" / "python"), "-c", "import alpha, beta"], capture_output=True)
    assert check.returncode == 0


def test_no_gpu_skips_device_findings_for_a_cuda_build(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the exported Dockerfile runs at build time: a CUDA plan, no device present.
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "550.54.15")
    report = json.loads(
        cli("doctor", "--profile", "torch", "--accelerator", "cuda", "--offline", "--no-gpu", "--json").out
    )
    gpu = [f for f in report["findings"] if f["area"] == "gpu"]
    assert gpu and all(f["status"] == "skip" and f["evidence"].startswith("skipped (--no-gpu)") for f in gpu)
