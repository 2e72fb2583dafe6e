"""`llmenv doctor` for real: on this machine, and against real environments built from tiny local wheels."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.tools import uv_binary
from tests.conftest import CliResult
from tests.helpers.wheels import make_wheel


def findings(result: CliResult) -> dict[str, dict[str, str]]:
    return {f["id"]: f for f in json.loads(result.out)["findings"]}


def test_doctor_on_this_machine_has_no_false_failures(cli: Callable[..., CliResult]) -> None:
    result = cli("doctor", "--json", "--offline")
    report = json.loads(result.out)
    assert report["schema"] == "llmenv.doctor/1"
    failed = [f for f in report["findings"] if f["status"] == "fail"]
    assert failed == [] and result.code == 0
    system = report["facts"]["system"]["value"]
    assert system["python_bits"] == 64 and system["os_bits"] == 64
    assert report["profile"] == "transformers" and report["profile_is_default"] is True
    by_id = {f["id"]: f for f in report["findings"]}
    if shutil.which("nvidia-smi") is None and not Path("/proc/driver/nvidia/version").exists():
        assert by_id["gpu.nvidia"]["title"] == "no NVIDIA GPU"
    assert by_id["network.index"]["evidence"] == "skipped: --offline"


def test_doctor_reports_the_pip_configuration_pip_uses(cli: Callable[..., CliResult]) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    expected: dict[str, str] = {}
    for line in listed.splitlines():
        match = re.match(r"^[^.]*\.([a-z-]+)='(.*)'$", line)
        if match:
            expected[match.group(1)] = match.group(2)
    report = json.loads(cli("doctor", "--json", "--offline").out)
    settings = report["facts"]["pip_config"]["value"]["settings"]
    ours = {key: value["value"] for key, value in settings.items()}
    for key in ("find-links", "index-url", "extra-index-url", "constraint"):
        if key in expected:
            assert ours.get(key) == expected[key], key
    if "find-links" in expected:
        assert expected["find-links"] in findings(cli("doctor", "--json", "--offline"))["pip.config"]["evidence"]


def test_probe_json_has_sources(cli: Callable[..., CliResult]) -> None:
    result = cli("probe", "--json", "--offline")
    assert result.code == 0
    facts = json.loads(result.out)["facts"]
    assert facts["system"]["source"] and facts["interpreters"]["value"]["commands"]["python3"]
    assert facts["indexes"]["source"] == "skipped: --offline"


def test_doctor_human_output_has_a_verdict(cli: Callable[..., CliResult]) -> None:
    result = cli("doctor", "--offline", "--profile", "torch")
    assert result.code == 0
    assert result.out.startswith("llmenv doctor: profile torch, accelerator auto")
    assert "Verdict:" in result.out and "[python.on-path]" in result.out


def test_doctor_rejects_bad_accelerator(cli: Callable[..., CliResult]) -> None:
    result = cli("doctor", "--accelerator", "tpu")
    assert result.code == 2 and "unknown accelerator 'tpu'" in result.err


def test_unreachable_index_is_a_failure_with_a_fix(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: connection refused
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = http://user:s3cret@127.0.0.1:{port}/simple\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    result = cli("doctor", "--json", "--profile", "torch")
    assert result.code == 1
    finding = findings(result)["network.index.index-url"]
    assert finding["status"] == "fail" and "refused" in finding["title"]
    assert "s3cret" not in result.out and "user:****@127.0.0.1" in finding["evidence"]


# --- --env against real environments --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheels")
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "alpha", "2.0")
    make_wheel(folder, "needy", "1.0", requires=("alpha>=2",))
    make_wheel(folder, "broken", "1.0", code="raise ImportError('libfoo.so.1: cannot open shared object file')\n")
    return folder


def make_env(path: Path, wheelhouse: Path, *requirements: str, no_deps: bool = False) -> Path:
    uv = uv_binary()
    assert uv, "uv is a runtime dependency of llmenv"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(path)], check=True)
    args = [
        uv,
        "pip",
        "install",
        "-q",
        "--python",
        str(path / "bin" / "python"),
        "--no-index",
        "--find-links",
        str(wheelhouse),
    ]
    subprocess.run(args + (["--no-deps"] if no_deps else []) + list(requirements), check=True)
    return path


def profile(tmp_path: Path, packages: list[str], imports: list[str]) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\npython: '>=3.10'\npackages: "
        + json.dumps(packages)
        + "\nchecks:\n  imports: "
        + json.dumps(imports)
        + "\n"
    )
    return path


def test_env_all_good(cli: Callable[..., CliResult], tmp_path: Path, wheelhouse: Path) -> None:
    env = make_env(tmp_path / "env", wheelhouse, "alpha==1.0")
    result = cli(
        "doctor",
        "--json",
        "--offline",
        "--profile",
        str(profile(tmp_path, ["alpha==1.0"], ["alpha"])),
        "--env",
        str(env),
    )
    by_id = findings(result)
    assert by_id["env.python"]["status"] == "ok"
    assert by_id["env.import.alpha"]["status"] == "ok" and by_id["env.import.alpha"]["title"] == "import alpha 1.0"
    assert by_id["env.versions"]["status"] == "ok"
    assert by_id["env.dependencies"]["status"] == "ok"
    assert result.code == 0


def test_env_version_drift_and_missing_package(cli: Callable[..., CliResult], tmp_path: Path, wheelhouse: Path) -> None:
    env = make_env(tmp_path / "env", wheelhouse, "alpha==1.0")
    spec = profile(tmp_path, ["alpha==2.0", "gamma==1.0"], ["alpha"])
    result = cli("doctor", "--json", "--offline", "--profile", str(spec), "--env", str(env))
    versions = findings(result)["env.versions"]
    assert versions["status"] == "fail"
    assert "alpha 1.0 (wants ==2.0)" in versions["evidence"] and "gamma is not installed" in versions["evidence"]
    assert result.code == 1


def test_env_failing_import_and_conflict(cli: Callable[..., CliResult], tmp_path: Path, wheelhouse: Path) -> None:
    env = make_env(tmp_path / "env", wheelhouse, "alpha==1.0", "needy==1.0", "broken==1.0", no_deps=True)
    spec = profile(tmp_path, ["alpha==1.0", "needy==1.0", "broken==1.0"], ["alpha", "broken"])
    result = cli("doctor", "--json", "--offline", "--profile", str(spec), "--env", str(env))
    by_id = findings(result)
    assert by_id["env.import.broken"]["status"] == "fail"
    assert "libfoo.so.1" in by_id["env.import.broken"]["evidence"]
    assert "CUDA library" in by_id["env.import.broken"]["fix"]
    assert by_id["env.dependencies"]["status"] == "fail" and "needy" in by_id["env.dependencies"]["evidence"]
    assert result.code == 1


def test_env_missing(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    result = cli("doctor", "--json", "--offline", "--env", str(tmp_path / "nope"))
    finding = findings(result)["env.python"]
    # The whole command: the profile doctor judged by (the default) and the env, not a bare `llmenv setup --env`.
    assert finding["status"] == "fail" and f"`llmenv setup transformers --env {tmp_path / 'nope'}`" in finding["fix"]
