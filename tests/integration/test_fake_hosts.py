"""Real probes against fake hosts built in tmp_path: scripts on a narrowed PATH that behave like the real tools."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmenv.probe import gpu_nvidia
from llmenv.probe.interpreters import probe_interpreters
from llmenv.verify.host import HostContext, verify_host
from llmenv.verify.model import Status
from tests.helpers.facts import host

DATA = Path(__file__).resolve().parents[1] / "data"


def script(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC | stat.S_IXGRP | stat.S_IXOTH)
    return path


def other_python(tmp_path: Path) -> str:
    """Another environment's Python: the everyday case of a `pip` left over from some other venv."""
    target = tmp_path / "other-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True)
    return str(target / "bin" / "python")


def test_pip_bound_to_another_interpreter(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    other = other_python(tmp_path)
    script(bin_dir, "pip", f"#!{other}\nimport sys\nsys.exit(0)\n")
    report = probe_interpreters(str(bin_dir))
    pip = report.commands["pip"]
    assert pip.via == "shebang"
    assert pip.prefix == str(tmp_path / "other-venv")
    finding = next(f for f in verify_host(host(interpreters=report), HostContext()) if f.id == "python.pip-matches")
    assert finding.status is Status.WARN
    assert str(tmp_path / "other-venv") in finding.evidence


def test_matching_pip_is_ok(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    script(bin_dir, "pip", f"#!{bin_dir / 'python'}\nimport sys\n")
    report = probe_interpreters(str(bin_dir))
    finding = next(f for f in verify_host(host(interpreters=report), HostContext()) if f.id == "python.pip-matches")
    assert finding.status is Status.OK, finding


def test_path_with_missing_and_duplicate_entries(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    path = os.pathsep.join([str(bin_dir), str(tmp_path / "missing"), str(bin_dir)])
    report = probe_interpreters(path)
    assert report.missing_path_entries == (str(tmp_path / "missing"),)
    assert report.duplicate_path_entries == (str(bin_dir),)
    findings = {f.id: f for f in verify_host(host(interpreters=report), HostContext())}
    assert findings["path.missing-dirs"].status is Status.WARN
    assert str(tmp_path / "missing") in findings["path.missing-dirs"].evidence
    assert findings["path.duplicates"].status is Status.WARN
    assert findings["python.on-path"].status is Status.OK  # python3 alone is enough


def test_no_python_on_path(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report = probe_interpreters(str(empty))
    finding = next(f for f in verify_host(host(interpreters=report), HostContext()) if f.id == "python.on-path")
    assert finding.status is Status.FAIL


@pytest.fixture
def fake_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "smi-bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("LLMENV_CUDA_DRIVER", raising=False)
    return bin_dir


def test_fake_nvidia_smi_with_real_output(fake_smi: Path, tmp_path: Path) -> None:
    recorded = DATA / "nvidia-smi-query-mixed.csv"
    script(fake_smi, "nvidia-smi", f"#!/bin/sh\ncat '{recorded}'\n")
    facts = gpu_nvidia.probe_nvidia(proc_version=tmp_path / "absent")
    assert facts.value is not None
    assert facts.value.driver == "560.35.03" and facts.value.max_cuda == "12.6"
    assert [g.compute_capability for g in facts.value.gpus] == ["8.9", "6.1"]
    assert facts.source.endswith("nvidia-smi --query-gpu")


def test_hanging_nvidia_smi_times_out_and_falls_back(
    fake_smi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gpu_nvidia, "SMI_TIMEOUT", 1.0)
    # The child sleeps in a grandchild too: the whole process group must be stopped.
    script(fake_smi, "nvidia-smi", "#!/bin/sh\nsleep 60 &\nsleep 60\n")
    proc = tmp_path / "version"
    proc.write_text((DATA / "proc-driver-nvidia-version-550.txt").read_text())
    start = time.perf_counter()
    facts = gpu_nvidia.probe_nvidia(proc_version=proc)
    assert time.perf_counter() - start < 10
    assert facts.value is not None and facts.value.driver == "550.54.15"
    assert facts.error is not None and "did not answer within 1.0 s" in facts.error
    finding = next(f for f in verify_host(host(nvidia=facts), HostContext()) if f.id == "gpu.nvidia")
    assert finding.status is Status.OK and "550.54.15" in finding.title


def test_hanging_nvidia_smi_without_fallback_is_reported(
    fake_smi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gpu_nvidia, "SMI_TIMEOUT", 1.0)
    script(fake_smi, "nvidia-smi", "#!/bin/sh\nsleep 60\n")
    facts = gpu_nvidia.probe_nvidia(proc_version=tmp_path / "absent")
    assert facts.value is None and facts.error and "did not answer" in facts.error
    finding = next(f for f in verify_host(host(nvidia=facts), HostContext()) if f.id == "gpu.nvidia")
    assert finding.status is Status.WARN and "nvidia-smi" in (finding.fix or "")


def test_failing_nvidia_smi_is_reported(fake_smi: Path, tmp_path: Path) -> None:
    message = (
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running."
    )
    script(fake_smi, "nvidia-smi", f'#!/bin/sh\necho "{message}"\nexit 9\n')
    facts = gpu_nvidia.probe_nvidia(proc_version=tmp_path / "absent")
    assert facts.value is None
    assert facts.error and "exited with 9" in facts.error and "couldn't communicate" in facts.error
    finding = next(f for f in verify_host(host(nvidia=facts), HostContext()) if f.id == "gpu.nvidia")
    assert finding.status is Status.WARN


def test_override_stands_in_for_a_gpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "580.65.06")
    monkeypatch.setenv("LLMENV_GPU_CC", "12.0")
    facts = gpu_nvidia.probe_nvidia(proc_version=tmp_path / "absent")
    assert facts.value is not None and facts.value.max_cuda == "13.0"
    assert facts.value.gpus[0].compute_capability == "12.0"
    assert facts.source.startswith("override: LLMENV_CUDA_DRIVER")
