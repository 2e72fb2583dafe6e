"""Host rules on hosts built from facts: the situations that cost users hours, without needing that hardware."""

from __future__ import annotations

import pytest

from llmenv.probe import HostFacts
from llmenv.probe.disk import DiskSpace
from llmenv.probe.facts import Probed
from llmenv.probe.index import IndexStatus
from llmenv.probe.interpreters import Command
from llmenv.probe.pipconfig import PipConfig, PipSetting
from llmenv.profiles.load import load_profile
from llmenv.redact import Secret
from llmenv.verify.host import HostContext, verify_host
from llmenv.verify.model import Finding, Status
from tests.helpers.facts import host, interpreter, interpreters, nvidia, system
from tests.helpers.host_context import host_context


def ctx(profile: str = "torch", accelerator: str = "auto", facts: HostFacts | None = None) -> HostContext:
    return host_context(load_profile(profile), facts or host(), accelerator)


def by_id(findings: list[Finding], fid: str) -> Finding:
    matches = [f for f in findings if f.id == fid]
    assert matches, f"no finding {fid} in {[f.id for f in findings]}"
    return matches[0]


def test_healthy_host_has_no_warnings_or_failures() -> None:
    findings = verify_host(host(), ctx())
    assert [f for f in findings if f.status is not Status.OK] == []


def test_no_python_on_path() -> None:
    report = interpreters(commands={"python": Command("python", None), "python3": Command("python3", None)})
    finding = by_id(verify_host(host(interpreters=report), ctx()), "python.on-path")
    assert finding.status is Status.FAIL
    assert "uv python install 3.12" in (finding.fix or "")


def test_pip_bound_to_another_interpreter() -> None:
    other = interpreter("3.9.18", "/opt/py39/bin/python3.9")
    report = interpreters(
        interpreter(),
        other,
        commands={"pip": Command("pip", "/usr/local/bin/pip", other.executable, other.version, "shebang")},
    )
    finding = by_id(verify_host(host(interpreters=report), ctx()), "python.pip-matches")
    assert finding.status is Status.WARN
    assert "/opt/py39/bin/python3.9" in finding.evidence and "python -m pip" in (finding.fix or "")


def test_thirty_two_bit_default_python_fails() -> None:
    py32 = interpreter("3.11.7", "C:/Python311-32/python.exe", bits=32)
    report = interpreters(py32)
    findings = verify_host(host(interpreters=report, system=system(os="Windows", machine="AMD64")), ctx())
    bitness = by_id(findings, "python.bitness")
    assert bitness.status is Status.FAIL and "32-bit" in bitness.title
    assert by_id(findings, "python.supported").status is Status.FAIL  # no 64-bit Python left


def test_python_too_new_for_the_frameworks() -> None:
    report = interpreters(interpreter("3.14.0", "/usr/bin/python3.14"))
    finding = by_id(verify_host(host(interpreters=report), ctx("tf")), "python.supported")
    assert finding.status is Status.FAIL
    assert "tensorflow-cpu 2.21.0: >=3.10,<3.14" in finding.evidence
    assert "uv python install 3.12" in (finding.fix or "")


def test_default_python_outside_range_but_another_fits() -> None:
    report = interpreters(interpreter("3.14.0", "/usr/bin/python3.14"), interpreter("3.12.3", "/usr/bin/python3.12"))
    findings = verify_host(host(interpreters=report), ctx())
    assert by_id(findings, "python.supported").status is Status.OK
    assert by_id(findings, "python.default-supported").status is Status.WARN


def test_old_glibc_fails_for_manylinux_2_28_torch() -> None:
    old = system(distro="CentOS Linux 7 (Core)", libc_version="2.17")
    finding = by_id(verify_host(host(system=old), ctx()), "platform.libc")
    assert finding.status is Status.FAIL and "manylinux_2.28" in finding.evidence


def test_musl_fails() -> None:
    finding = by_id(verify_host(host(system=system(libc="musl", libc_version=None)), ctx()), "platform.libc")
    assert finding.status is Status.FAIL and "musllinux" in finding.title


def test_no_avx_fails_only_for_tensorflow() -> None:
    no_avx = system(cpu_flags=("sse4_1", "sse4_2"))
    assert by_id(verify_host(host(system=no_avx), ctx("tf")), "cpu.avx").status is Status.FAIL
    assert by_id(verify_host(host(system=no_avx), ctx("torch")), "cpu.avx").status is Status.WARN


def test_32_bit_os_fails() -> None:
    finding = by_id(verify_host(host(system=system(machine="i686", os_bits=32)), ctx()), "platform.arch")
    assert finding.status is Status.FAIL


def test_low_disk() -> None:
    spaces = [DiskSpace("env", "/x/.venv", "/x", 500, 100_000), DiskSpace("tmp", "/tmp", "/tmp", 3000, 9000)]
    findings = verify_host(host(disk=spaces), ctx("full"))
    assert by_id(findings, "disk.env").status is Status.FAIL
    assert by_id(findings, "disk.tmp").status is Status.WARN


@pytest.mark.parametrize(
    ("driver", "accelerator", "status"),
    [("470.256.02", "auto", Status.WARN), ("470.256.02", "cuda", Status.FAIL), ("550.54.15", "cuda", Status.OK)],
)
def test_driver_too_old_for_the_profiles_cuda(driver: str, accelerator: str, status: Status) -> None:
    facts = host(nvidia=nvidia(driver, ("Tesla T4", "7.5")))
    finding = by_id(verify_host(facts, ctx("torch", accelerator, facts)), "gpu.driver-cuda")
    assert finding.status is status


def test_gpu_present_but_profile_builds_for_cpu() -> None:
    facts = host(nvidia=nvidia("550.54.15", ("NVIDIA H100 80GB HBM3", "9.0")))
    finding = by_id(verify_host(facts, ctx("torch", "cpu")), "gpu.profile-match")
    assert finding.status is Status.WARN


def test_cuda_requested_without_gpu() -> None:
    finding = by_id(verify_host(host(), ctx("torch", "cuda")), "gpu.profile-match")
    assert finding.status is Status.FAIL and "nvidia-smi" in (finding.fix or "")


def test_toolkit_newer_than_driver() -> None:
    from llmenv.probe.cuda_toolkit import CudaToolkit

    facts = host(
        nvidia=nvidia("535.154.05", ("NVIDIA A100-SXM4-40GB", "8.0")),
        cuda_toolkit=CudaToolkit("13.0", "/usr/local/cuda/bin/nvcc", None),
    )
    assert by_id(verify_host(facts, ctx()), "cuda.toolkit").status is Status.WARN


def test_unreachable_index_says_how_to_fix_and_never_leaks_credentials() -> None:
    status = IndexStatus(
        Secret("https://me:hunter2@mirror.corp/simple"),
        "index-url",
        False,
        "certificate",
        "TLS certificate not trusted (self-signed certificate in certificate chain)",
        0.1,
    )
    finding = by_id(verify_host(host(indexes=[status]), ctx()), "network.index.index-url")
    assert finding.status is Status.FAIL
    assert "hunter2" not in finding.evidence and "me:****@mirror.corp" in finding.evidence
    assert "SSL_CERT_FILE" in (finding.fix or "")


def test_pip_config_reported_redacted_and_trusted_host_warned() -> None:
    settings = {
        "index-url": PipSetting("index-url", Secret("https://u:tok@pypi.corp/simple"), "/etc/pip.conf [global]"),
        "trusted-host": PipSetting("trusted-host", Secret("pypi.corp"), "env PIP_TRUSTED_HOST"),
    }
    findings = verify_host(host(pip_config=PipConfig((), settings)), ctx())
    config = by_id(findings, "pip.config")
    assert "u:****@pypi.corp" in config.evidence and "tok" not in config.evidence
    assert by_id(findings, "pip.trusted-host").status is Status.WARN


def test_index_check_skipped_offline_is_not_a_failure() -> None:
    finding = by_id(verify_host(host(indexes=Probed(None, "skipped: --offline")), ctx()), "network.index")
    assert finding.status is Status.OK and "skipped" in finding.evidence


def test_path_problems() -> None:
    report = interpreters(missing_path_entries=("/nope",), duplicate_path_entries=("/usr/bin",), empty_path_entry=True)
    findings = verify_host(host(interpreters=report), ctx())
    assert by_id(findings, "path.missing-dirs").status is Status.WARN
    assert by_id(findings, "path.duplicates").status is Status.WARN
    assert by_id(findings, "path.empty-entry").status is Status.WARN
