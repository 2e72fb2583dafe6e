"""The one accelerator decision: several GPUs, CUDA_VISIBLE_DEVICES, a broken driver, per-platform arch lists.

GPU hosts are built from facts in the shapes the NVIDIA probe returns for recorded real outputs (tests/data); no GPU
runs here."""

from __future__ import annotations

from dataclasses import replace

import pytest

from llmenv.errors import HostError
from llmenv.plan.make import Options, make_plan
from llmenv.plan.model import Plan
from llmenv.probe.facts import Probed
from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo
from llmenv.profiles.load import load_profile
from llmenv.tables.cuda import max_cuda_for_driver
from tests.helpers.facts import host, system

PASCAL = ("NVIDIA GeForce GTX 1080 Ti", "6.1", "GPU-4f7d1a1e-2b9c-8d3e-6a5f-0c1b2d3e4f50")
BLACKWELL = ("NVIDIA GeForce RTX 5090", "12.0", "GPU-9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4")
A100 = ("NVIDIA A100-SXM4-40GB", "8.0", "GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f")
V100 = ("Tesla V100-SXM2-16GB", "7.0", "GPU-1d2e3f40-5a6b-7c8d-9e0f-a1b2c3d4e5f6")
MIG_A = "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f"


def gpus(
    driver: str, *cards: tuple[str, str, str], visible: str | None = None, mig: dict[int, tuple[str, ...]] | None = None
) -> Probed[NvidiaInfo]:
    items = tuple(
        NvidiaGpu(i, name, 16000, cc, uuid, (mig or {}).get(i, ())) for i, (name, cc, uuid) in enumerate(cards)
    )
    return Probed(NvidiaInfo(driver, max_cuda_for_driver(driver), "table", items, visible), "recorded")


def plan(facts: object, accelerator: str = "auto", profile: str = "torch") -> Plan:
    return make_plan(load_profile(profile), facts, Options(env=".venv", accelerator=accelerator), {})  # type: ignore[arg-type]


def test_two_gpus_no_single_build_serves_picks_the_most_capable_and_names_the_other() -> None:
    """Item 3: GTX 1080 Ti + RTX 5090 on 580 got the CPU build and "upgrade the driver"."""
    p = plan(host(nvidia=gpus("580.65.06", PASCAL, BLACKWELL)))
    assert p.accelerator.value == "cuda" and p.variant is not None and p.variant.value == "cu130"
    assert p.decision.serves and "RTX 5090" in p.decision.serves[0]
    assert [g for g, _ in p.decision.unused] == ["#0 NVIDIA GeForce GTX 1080 Ti (sm_61)"]
    text = " ".join(p.warnings)
    assert "GTX 1080 Ti" in text and "CUDA_VISIBLE_DEVICES" in text
    assert "upgrade the driver" not in text.lower()


def test_a_build_serving_every_gpu_wins_over_a_newer_one_serving_fewer() -> None:
    p = plan(host(nvidia=gpus("580.65.06", PASCAL, ("NVIDIA H100 80GB HBM3", "9.0", "GPU-00"))))
    assert p.variant is not None and p.variant.value == "cu126" and not p.decision.unused


@pytest.mark.parametrize("visible", ["0", PASCAL[2], PASCAL[2][:12]])
def test_cuda_visible_devices_by_index_or_uuid_selects_the_gpu(visible: str) -> None:
    p = plan(host(nvidia=gpus("580.65.06", PASCAL, BLACKWELL, visible=visible)))
    assert p.variant is not None and p.variant.value == "cu126", p.decision
    assert not p.decision.unused and "GTX 1080 Ti" in p.decision.serves[0]
    assert all("RTX 5090" not in s for s in p.decision.serves)


def test_cuda_visible_devices_by_mig_id_selects_its_parent_gpu() -> None:
    facts = host(nvidia=gpus("580.65.06", A100, V100, visible=MIG_A, mig={0: (MIG_A,)}))
    p = plan(facts)
    assert p.variant is not None and p.variant.value == "cu130"  # the V100 (sm_70, no CUDA 13 kernels) is hidden
    assert not p.decision.unused and "A100" in p.decision.serves[0]
    old_style = plan(host(nvidia=gpus("580.65.06", A100, V100, visible=f"MIG-{A100[2]}/1/0")))
    assert old_style.variant is not None and old_style.variant.value == "cu130"


def test_cuda_visible_devices_hiding_every_gpu_builds_for_the_cpu_with_a_warning() -> None:
    p = plan(host(nvidia=gpus("580.65.06", BLACKWELL, visible="-1")))
    assert p.accelerator.value == "cpu"
    assert any("CUDA_VISIBLE_DEVICES" in w for w in p.warnings)


@pytest.mark.parametrize(
    ("driver", "card", "need"),
    [("575.57.08", ("NVIDIA B200", "10.0", "GPU-b2"), "580"), ("570.133.07", BLACKWELL, "580")],
)
def test_new_gpu_on_a_driver_too_old_for_its_builds_falls_back_and_says_which_driver(
    driver: str, card: tuple[str, str, str], need: str
) -> None:
    p = plan(host(nvidia=gpus(driver, card)))
    assert p.accelerator.value == "cpu" and p.decision.fallback
    assert p.decision.fix is not None and need in p.decision.fix


def test_broken_driver_is_loud_in_the_plan() -> None:
    """Item 4: nvidia-smi exits 9 ("couldn't communicate with the NVIDIA driver"): it was "no GPU found"."""
    error = (
        "/usr/bin/nvidia-smi: exited with 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
        "driver. Make sure that the latest NVIDIA driver is installed and running."
    )
    facts = host(nvidia=Probed(None, "nvidia-smi", error))
    p = plan(facts)
    assert p.accelerator.value == "cpu"
    assert p.decision.broken is not None
    assert any("installed but not working" in w for w in p.warnings)
    assert "no GPU found" not in p.accelerator.why
    with pytest.raises(HostError, match="installed but not working"):
        plan(facts, "cuda")


def test_nvml_init_error_is_a_broken_driver_too() -> None:
    facts = host(nvidia=Probed(None, "nvml", "NVML did not initialise: Driver/library version mismatch"))
    assert plan(facts).decision.broken is not None


def test_no_driver_at_all_is_not_broken() -> None:
    p = plan(host())
    assert p.decision.broken is None and p.accelerator.value == "cpu" and not p.decision.warnings


def test_aarch64_builds_carry_fewer_architectures_than_x86_64() -> None:
    """Item 5: torch's Linux aarch64 CUDA builds carry sm_80 and newer only; a T4G (sm_75, AWS g5g) has none."""
    t4 = ("NVIDIA T4G", "7.5", "GPU-t4")
    x86 = plan(host(nvidia=gpus("580.65.06", t4)))
    assert x86.variant is not None and x86.variant.value == "cu130"
    arm = plan(host(nvidia=gpus("580.65.06", t4), system=system(machine="aarch64")))
    assert arm.accelerator.value == "cpu" and arm.decision.fallback
    assert "aarch64" in arm.decision.fallback
    gh200 = plan(
        host(nvidia=gpus("580.65.06", ("NVIDIA GH200 480GB", "9.0", "GPU-gh")), system=system(machine="aarch64"))
    )
    assert gh200.variant is not None and gh200.variant.value == "cu130"


def test_plan_json_carries_the_decision() -> None:
    p = plan(host(nvidia=gpus("580.65.06", PASCAL, BLACKWELL)))
    data = p.to_dict()
    assert data["variant"]["value"] == "cu130" and data["warnings"]
    assert data["gpus"]["unused"][0]["gpu"] == "#0 NVIDIA GeForce GTX 1080 Ti (sm_61)"
    assert data["gpus"]["serves"] and data["gpus"]["fallback"] is None


def test_replace_keeps_plan_frozen() -> None:
    p = plan(host())
    assert replace(p, warnings=("x",)).decision == p.decision


def test_cuda_visible_devices_stops_at_the_first_unknown_entry_as_cuda_does() -> None:
    from llmenv.plan.accelerators.visible import visible_gpus

    info = gpus("580.65.06", PASCAL, BLACKWELL, visible="1,7,0").value
    assert info is not None
    seen, notes = visible_gpus(info)
    assert [g.index for g in seen] == [1]
    assert "there is no GPU 7" in notes[0] and "every entry after it" in notes[0]
    assert "CUDA_DEVICE_ORDER=PCI_BUS_ID" in notes[1]  # indexes on a mixed host: CUDA numbers fastest first


def test_visible_devices_by_uuid_when_the_probe_gave_no_uuids_matches_no_gpu_and_says_so() -> None:
    """QA item 3 changed this: an entry that matches no known UUID is read as CUDA reads it (no GPU after it)."""
    from llmenv.plan.accelerators.visible import visible_gpus

    info = gpus("580.65.06", (PASCAL[0], PASCAL[1], ""), (BLACKWELL[0], BLACKWELL[1], ""), visible="GPU-9a8b").value
    assert info is not None
    info = replace(info, gpus=tuple(replace(g, uuid=None) for g in info.gpus))
    seen, notes = visible_gpus(info)
    assert seen == () and "matches no GPU llmenv knows of" in notes[0] and "GPU-9a8b" in notes[0]


def test_a_uuid_matching_no_gpu_hides_every_gpu_as_cuda_does() -> None:
    """QA item 3: CUDA_VISIBLE_DEVICES=GPU-abc with stand-in GPUs (no UUIDs) was read as every GPU; CUDA would see
    none. Failed before the fix."""
    info = gpus("580.65.06", ("GPU given by LLMENV_CUDA_DRIVER/LLMENV_GPU_CC", "9.0", ""), visible="GPU-abc").value
    assert info is not None
    info = replace(info, gpus=tuple(replace(g, uuid=None) for g in info.gpus))
    p = plan(host(nvidia=Probed(info, "override: LLMENV_CUDA_DRIVER, LLMENV_GPU_CC")))
    assert p.accelerator.value == "cpu"
    assert any("GPU-abc" in w and "no GPU" in w for w in p.warnings), p.warnings


def test_gpu_cc_without_a_driver_is_a_plan_warning() -> None:
    """QA item 4: LLMENV_GPU_CC without LLMENV_CUDA_DRIVER was silently ignored. Failed before the fix."""
    p = plan(replace(host(), env={"LLMENV_GPU_CC": "8.6"}))
    assert p.accelerator.value == "cpu"
    assert any("LLMENV_GPU_CC" in w and "LLMENV_CUDA_DRIVER" in w for w in p.warnings), p.warnings
