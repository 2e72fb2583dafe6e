"""Doctor's GPU judgement comes from the plan's one accelerator decision (issue 9 items 1-4)."""

from __future__ import annotations

import pytest

from llmenv.probe.facts import Probed
from llmenv.profiles.load import load_profile
from llmenv.verify.host import verify_host
from llmenv.verify.model import Finding, Status
from tests.helpers.facts import host, nvidia
from tests.helpers.host_context import host_context

BROKEN = (
    "/usr/bin/nvidia-smi: exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
    "driver. Make sure that the latest NVIDIA driver is installed and running."
)


def findings(facts: object, accelerator: str = "auto", profile: str = "torch") -> dict[str, Finding]:
    return {f.id: f for f in verify_host(facts, host_context(load_profile(profile), facts, accelerator))}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("driver", "card"),
    [("575.57.08", ("NVIDIA B200", "10.0")), ("570.133.07", ("NVIDIA GeForce RTX 5090", "12.0"))],
)
def test_doctor_does_not_call_the_driver_fine_where_setup_falls_back(driver: str, card: tuple[str, str]) -> None:
    """Item 2: the driver runs CUDA 12.8/12.9, but torch 2.13 publishes no 12.x build with Blackwell kernels."""
    found = findings(host(nvidia=nvidia(driver, card)))
    driver_finding = found["gpu.driver-cuda"]
    assert driver_finding.status is Status.WARN, driver_finding
    assert "CPU build" in driver_finding.evidence
    assert driver_finding.fix is not None and "580" in driver_finding.fix


def test_doctor_agrees_with_the_plan_on_a_good_host() -> None:
    found = findings(host(nvidia=nvidia("580.65.06", ("NVIDIA GeForce RTX 5090", "12.0"))))
    assert found["gpu.driver-cuda"].status is Status.OK and "cu130" in found["gpu.driver-cuda"].title


def test_doctor_names_a_gpu_the_build_cannot_use() -> None:
    found = findings(host(nvidia=nvidia("580.65.06", ("GTX 1080 Ti", "6.1"), ("RTX 5090", "12.0"))))
    unused = found["gpu.unused"]
    assert unused.status is Status.WARN and "GTX 1080 Ti" in unused.title
    assert unused.fix is not None and "CUDA_VISIBLE_DEVICES" in unused.fix
    assert found["gpu.driver-cuda"].status is Status.OK


@pytest.mark.parametrize(("accelerator", "status"), [("auto", Status.WARN), ("cuda", Status.FAIL)])
def test_broken_driver_is_loud_in_doctor(accelerator: str, status: Status) -> None:
    """Item 4: smi exit 9 was one vague "NVIDIA probe failed"; it is "installed but not working" with a fix."""
    found = findings(host(nvidia=Probed(None, "nvidia-smi", BROKEN)), accelerator)
    finding = found["gpu.nvidia"]
    assert finding.status is status and "installed but not working" in finding.title
    assert finding.fix is not None and "modprobe nvidia" in finding.fix


def test_cuda_requested_where_no_build_fits_fails_with_the_plans_reason() -> None:
    found = findings(host(nvidia=nvidia("470.256.02", ("Tesla T4", "7.5"))), "cuda")
    assert found["gpu.driver-cuda"].status is Status.FAIL
    assert "no CUDA build fits" in found["gpu.driver-cuda"].title


def test_doctor_says_minor_version_compatibility_with_one_cuda_number_per_driver() -> None:
    """QA item 1: doctor said `runs the cu126 build: max CUDA 12.4` (a contradiction) beside `CUDA <= 12.4`.
    Failed before the fix."""
    from tests.unit.plan.test_variant import _pairs_match_the_table

    found = findings(host(nvidia=nvidia("550.54.14", ("NVIDIA GeForce RTX 3090", "8.6"))))
    driver = found["gpu.driver-cuda"]
    assert driver.status is Status.OK and "cu126" in driver.title
    text = f"{driver.title} {driver.evidence} {found['gpu.nvidia'].title} {found['gpu.nvidia'].evidence}"
    assert "max CUDA 12.4" not in text and "CUDA <= 12.4" not in text
    assert "minor-version compatibility" in driver.title
    assert "CUDA 12.4" in found["gpu.nvidia"].title
    _pairs_match_the_table(text)


def test_doctor_warns_when_gpu_cc_is_set_without_a_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """QA item 4: LLMENV_GPU_CC alone was silently ignored. Failed before the fix."""
    from dataclasses import replace

    facts = replace(host(), env={"LLMENV_GPU_CC": "8.6"})
    finding = findings(facts)["gpu.override"]
    assert finding.status is Status.WARN and "LLMENV_GPU_CC" in finding.title
    assert finding.fix is not None and "LLMENV_CUDA_DRIVER" in finding.fix


def test_doctor_warns_when_cuda_visible_devices_matches_no_gpu() -> None:
    """QA item 3: a UUID matching no GPU was read as every GPU. Failed before the fix."""
    from dataclasses import replace

    probed = nvidia("580.65.06", ("GPU given by LLMENV_CUDA_DRIVER/LLMENV_GPU_CC", "9.0"))
    assert probed.value is not None
    facts = host(nvidia=replace(probed, value=replace(probed.value, cuda_visible_devices="GPU-abc")))
    found = findings(facts)
    assert found["gpu.visible-devices"].status is Status.WARN and "GPU-abc" in found["gpu.visible-devices"].evidence
    assert found["gpu.driver-cuda"].status is Status.WARN and "CPU build" in found["gpu.driver-cuda"].title


def test_cuda_visible_devices_entries_cuda_ignores_are_reported() -> None:
    from dataclasses import replace

    probed = nvidia("580.65.06", ("GTX 1080 Ti", "6.1"), ("RTX 5090", "12.0"))
    assert probed.value is not None
    facts = host(nvidia=Probed(replace(probed.value, cuda_visible_devices="1,5"), "recorded"))
    notes = [
        f
        for f in verify_host(facts, host_context(load_profile("torch"), facts, "auto"))
        if f.id.startswith("gpu.visible")
    ]
    assert notes and all(f.status is Status.WARN for f in notes)
    assert any("there is no GPU 5" in f.evidence for f in notes)


@pytest.mark.parametrize(
    "why",
    [
        "it was found in the working folder through an empty PATH entry",
        "/tmp/x/bin belongs to user nobody (uid 65534), not to root, who runs llmenv",
    ],
)
def test_an_nvidia_smi_that_was_not_run_points_at_path_not_the_driver(why: str) -> None:
    """Found trying doctor with `PATH=":$PATH"` in a folder where another user put `nvidia-smi`: llmenv rightly did
    not run it, but gpu.nvidia's fix said "reinstall the driver if it hangs or fails"."""
    error = f"nvidia-smi: cannot run `nvidia-smi`: [Errno 1] nvidia-smi is not run: {why}"
    finding = findings(host(nvidia=Probed(None, "nvidia-smi", error)))["gpu.nvidia"]
    assert finding.fix is not None and "PATH" in finding.fix and "reinstall" not in finding.fix, finding
