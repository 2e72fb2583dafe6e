"""Wheel-variant choice from all constraints together (driver family, compute capability, published variants)."""

from __future__ import annotations

import pytest

from llmenv.errors import ExitCode, HostError
from llmenv.plan.accelerators import resolve
from llmenv.plan.make import Options, make_plan
from llmenv.profiles.load import load_profile
from llmenv.tables.torch import runs_on
from tests.helpers.facts import host, nvidia


@pytest.mark.parametrize(
    ("driver", "gpu", "cc", "variant"),
    [
        ("550.54.15", "NVIDIA H100 80GB HBM3", "9.0", "cu126"),  # 550 driver: CUDA 12 family only
        ("580.65.06", "NVIDIA GeForce RTX 5090", "12.0", "cu130"),  # Blackwell: only CUDA 13 builds carry sm_120
        ("580.65.06", "NVIDIA GeForce GTX 1080 Ti", "6.1", "cu126"),  # Pascal: CUDA 13 builds dropped it
        ("580.65.06", "NVIDIA H100 80GB HBM3", "9.0", "cu130"),  # both fit: the newer
        ("535.154.05", "NVIDIA A100-SXM4-40GB", "8.0", "cu126"),  # 535 runs 12.6 by minor-version compatibility
    ],
)
def test_torch_variant_examples(driver: str, gpu: str, cc: str, variant: str) -> None:
    decision = resolve(load_profile("torch"), host(nvidia=nvidia(driver, (gpu, cc))), "auto")
    assert decision.accelerator.value == "cuda"
    assert decision.variant is not None and decision.variant.value == variant
    assert decision.index_url == f"https://download.pytorch.org/whl/{variant}"


def test_pascal_on_new_driver_says_why_cu130_was_rejected() -> None:
    decision = resolve(load_profile("torch"), host(nvidia=nvidia("580.65.06", ("GTX 1080 Ti", "6.1"))), "auto")
    assert decision.variant is not None
    rejected = dict(decision.variant.rejected)
    assert rejected["cu130"] == "no kernels for sm_61 (CUDA 13.0 builds carry sm_75..sm_120 +PTX)"
    assert rejected["cu132"] == "experimental build for this release"


def test_mixed_gpus_get_the_build_of_the_most_capable_one() -> None:
    """Issue 9 item 3 changed this: a 5090 beside a 1080 Ti gets cu130 (for the 5090), the 1080 Ti is named."""
    facts = host(nvidia=nvidia("580.65.06", ("RTX 5090", "12.0"), ("GTX 1080 Ti", "6.1")))
    decision = resolve(load_profile("torch"), facts, "cuda")
    assert decision.variant is not None and decision.variant.value == "cu130"
    assert decision.unused == (
        ("#1 GTX 1080 Ti (sm_61)", "no kernels for sm_61 (CUDA 13.0 builds carry sm_75..sm_120 +PTX)"),
    )


def test_cuda_asked_for_where_no_build_serves_any_gpu_exits_3_with_the_driver_to_get() -> None:
    facts = host(nvidia=nvidia("575.57.08", ("NVIDIA B200", "10.0")))
    with pytest.raises(HostError) as info:
        resolve(load_profile("torch"), facts, "cuda")
    assert "every torch 2.13.0 CUDA build was ruled out" in info.value.what
    assert info.value.exit_code is ExitCode.HOST_UNSUITABLE
    assert "upgrade the NVIDIA driver to >= 580.65.06" in (info.value.fix or "")


def test_old_driver_falls_back_to_cpu_loudly() -> None:
    decision = resolve(load_profile("torch"), host(nvidia=nvidia("470.256.02", ("Tesla T4", "7.5"))), "auto")
    assert decision.accelerator.value == "cpu" and decision.variant is not None and decision.variant.value == "cpu"
    assert decision.warnings and decision.warnings[0].startswith("GPU NOT USED")
    assert "driver 470.256.02 (CUDA 11.4) cannot run CUDA 12.6 builds" in decision.warnings[0]


def test_old_driver_with_cuda_requested_exits_3() -> None:
    with pytest.raises(HostError) as info:
        resolve(load_profile("torch"), host(nvidia=nvidia("470.256.02", ("Tesla T4", "7.5"))), "cuda")
    assert info.value.exit_code == 3 and "upgrade the NVIDIA driver" in (info.value.fix or "")


def test_tensorflow_cuda_needs_the_12_driver_floor() -> None:
    tf = load_profile("tf")
    ok = resolve(tf, host(nvidia=nvidia("550.54.15", ("H100", "9.0"))), "auto")
    assert ok.accelerator.value == "cuda" and ok.variant is None
    assert any(r.startswith("tensorflow[and-cuda]") for r in tf.packages_for("cuda"))
    old = resolve(tf, host(nvidia=nvidia("470.256.02", ("T4", "7.5"))), "auto")
    assert old.accelerator.value == "cpu"


def test_no_gpu_is_cpu_with_the_cpu_index() -> None:
    decision = resolve(load_profile("torch"), host(), "auto")
    assert decision.accelerator.value == "cpu"
    assert decision.index_url == "https://download.pytorch.org/whl/cpu"


def test_gpu_required_profile_without_gpu_exits_3(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "gpu.yaml"
    path.write_text("name: gpu\nextends: torch\nchecks:\n  gpu: required\n")
    with pytest.raises(HostError, match="requires a GPU"):
        resolve(load_profile(str(path)), host(), "auto")


def test_arch_compatibility_rules() -> None:
    assert runs_on("12.6", "6.1")  # sm_60 cubins run on sm_61
    assert not runs_on("13.0", "6.1")
    assert runs_on("13.0", "12.0") and runs_on("13.0", "12.1")  # PTX JIT for newer
    assert not runs_on("12.6", "12.0")


def test_plan_pins_the_variant_and_falls_back_when_unreachable() -> None:
    facts = host(nvidia=nvidia("550.54.15", ("H100", "9.0")))
    url = "https://download.pytorch.org/whl/cu126"
    reachable = make_plan(load_profile("torch"), facts, Options(env=".venv"), {url: True})
    assert reachable.requirements[0] == "torch==2.13.0+cu126"
    assert reachable.indexes.variant_index is not None and reachable.indexes.variant_index.reveal() == url
    fallback = make_plan(load_profile("torch"), facts, Options(env=".venv"), {url: False})
    assert fallback.indexes.variant_index is None and fallback.variant_index_fallback
    assert fallback.requirements[0] == "torch==2.13.0+cu126"  # still only that build can be installed
    assert "unreachable" in fallback.warnings[-1]


def test_plan_on_macos_leaves_pins_unlabelled() -> None:
    from llmenv.probe.gpu_apple import apple_mps
    from tests.helpers.facts import system

    facts = host(
        system=system(os="Darwin", machine="arm64", libc=None, libc_version=None),
        apple=apple_mps("Darwin", "arm64", "14.5"),
    )
    plan = make_plan(load_profile("torch"), facts, Options(env=".venv"), {})
    assert plan.accelerator.value == "mps" and plan.requirements[0] == "torch==2.13.0"


_DRIVER_CUDA = __import__("re").compile(r"(\d{3}\.\d+(?:\.\d+)?) \(CUDA (\d+\.\d+)\)")


def _pairs_match_the_table(text: str) -> list[tuple[str, str]]:
    """Every 'DRIVER (CUDA X.Y)' in a text, checked against the release-notes table: one number per driver."""
    from llmenv.tables.cuda import max_cuda_for_driver

    pairs = _DRIVER_CUDA.findall(text)
    for driver, cuda in pairs:
        assert max_cuda_for_driver(driver) == cuda, (driver, cuda, text)
    return pairs


def test_550_driver_runs_cu126_by_minor_version_compatibility_and_says_so() -> None:
    """QA item 1: the plan said `driver 550.54.14 (CUDA <= 12.4)` while choosing the CUDA 12.6 build for a
    profile with min_cuda 12.6. Failed before the fix."""
    decision = resolve(load_profile("torch"), host(nvidia=nvidia("550.54.14", ("RTX 3090", "8.6"))), "auto")
    assert decision.variant is not None and decision.variant.value == "cu126"
    why = decision.variant.why
    assert "CUDA <= 12.4" not in why and "up to 12.4" not in why
    assert "own CUDA is 12.4" in why and "minor-version compatibility" in why
    assert ">= 525.60.13" in why and "560.28.03" in why
    _pairs_match_the_table(why)
    assert dict(decision.variant.rejected)["cu130"].startswith("driver 550.54.14 (CUDA 12.4) cannot run CUDA 13.0")


def test_min_cuda_is_the_lowest_build_cuda_and_the_driver_must_run_it() -> None:
    """docs/gpu.md: min_cuda rules out builds for an older CUDA; a driver that cannot run one at min_cuda or newer
    gets the CPU build with the upgrade that helps."""
    from pathlib import Path
    from tempfile import TemporaryDirectory

    with TemporaryDirectory() as folder:
        path = Path(folder) / "t13.yaml"
        path.write_text('name: t13\nextends: torch\naccelerators:\n  cuda:\n    min_cuda: "13.0"\n')
        profile = load_profile(str(path))
    decision = resolve(profile, host(nvidia=nvidia("550.54.14", ("RTX 3090", "8.6"))), "auto")
    assert decision.accelerator.value == "cpu"
    assert decision.fix is not None and ">= 580.65.06 (CUDA 13.0)" in decision.fix
    assert ("cu126", "CUDA 12.6 is below the profile's min_cuda 13.0") in decision.accelerator.rejected
    newer = resolve(profile, host(nvidia=nvidia("580.65.06", ("RTX 3090", "8.6"))), "auto")
    assert newer.variant is not None and newer.variant.value == "cu130"


@pytest.mark.parametrize("requested", ["auto", "cuda"])
def test_old_driver_fix_names_each_driver_with_its_own_cuda(requested: str) -> None:
    """QA item 2: driver 470 got "upgrade ... to >= 525.60.13 (CUDA 12.6)"; 525.60.13 is the CUDA 12.0 driver.
    Failed before the fix."""
    facts = host(nvidia=nvidia("470.256.02", ("Tesla T4", "7.5")))
    try:
        fix = resolve(load_profile("torch"), facts, requested).fix or ""
    except HostError as exc:
        fix = exc.fix or ""
    assert "525.60.13 (CUDA 12.6)" not in fix
    pairs = _pairs_match_the_table(fix)
    assert ("525.60.13", "12.0") in pairs and ("560.28.03", "12.6") in pairs, fix
    assert "cu126" in fix


def test_tensorflow_floor_fix_names_each_driver_with_its_own_cuda() -> None:
    """QA item 2, the floor-only path (TensorFlow brings its own CUDA 12 wheels)."""
    decision = resolve(load_profile("tf"), host(nvidia=nvidia("470.256.02", ("T4", "7.5"))), "auto")
    assert decision.accelerator.value == "cpu"
    _pairs_match_the_table(decision.fix or "")
    _pairs_match_the_table(" ".join(decision.warnings))


def test_a_gpu_served_only_by_ptx_needs_the_builds_own_driver() -> None:
    """Minor-version compatibility does not cover JIT compilation of newer PTX: a GPU the build reaches only through
    its PTX (here a hypothetical sm_130 beside cu128's compute_120) is not served by a driver older than CUDA 12.8."""
    from llmenv.plan.accelerators.cuda import _choose_variant
    from llmenv.tables.torch import TorchVariants

    only = TorchVariants(("cu128",), (), ())
    info = nvidia("560.35.03", ("future GPU", "13.0")).value
    assert info is not None
    pick = _choose_variant("2.9.0", only, info, info.gpus, None, "Linux", "linux-x86_64")
    assert pick.variant is None and "PTX" in dict(pick.rejected)["cu128"]
    newer = nvidia("570.26", ("future GPU", "13.0")).value
    assert newer is not None
    assert _choose_variant("2.9.0", only, newer, newer.gpus, None, "Linux", "linux-x86_64").variant == "cu128"


def test_finetune_plan_adds_bitsandbytes_only_to_a_cuda_build() -> None:
    """The plan decides bitsandbytes with the build: its kernels need an NVIDIA GPU and a CUDA torch."""
    profile = load_profile("finetune")
    a100 = host(nvidia=nvidia("570.86.15", ("NVIDIA A100-SXM4-40GB", "8.0")))
    cuda = make_plan(profile, a100, Options(env=".venv"), {"https://download.pytorch.org/whl/cu126": True})
    assert cuda.requirements[0] == "torch==2.13.0+cu126"
    assert any(r.startswith("bitsandbytes==0.50.2") for r in cuda.requirements)
    cpu = make_plan(profile, host(), Options(env=".venv"), {"https://download.pytorch.org/whl/cpu": True})
    assert not any(r.startswith("bitsandbytes") for r in cpu.requirements)
    assert any(r.startswith("peft==0.21.2") for r in cpu.requirements)
