"""Issue 23: when no PyTorch index answers but the default index serves the pinned release, the plan installs PyPI's
build of it, says so in one warning with sizes, and checks that build against the GPU and driver."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmenv.errors import HostError
from llmenv.plan.make import Options, make_plan
from llmenv.plan.model import Plan
from llmenv.plan.pypi_torch import pypi_build
from llmenv.probe import HostFacts
from llmenv.probe.index import json_files, judge_page
from llmenv.probe.torch_sources import TorchSources
from llmenv.profiles.load import load_profile
from llmenv.tables.pypi_torch import CPU_BUILD_BYTES, PYPI_LINUX_CUDA_LIBS_BYTES, pypi_variant
from tests.helpers.facts import host, nvidia, system

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
LINUX = "torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl"
PYPI_FILES: dict[str, int | None] = {
    LINUX: 526_574_961,
    "torch-2.13.0-cp311-cp311-manylinux_2_28_aarch64.whl": 427_199_369,
    "torch-2.13.0-cp311-cp311-win_amd64.whl": 122_015_870,
    "torch-2.13.0-cp311-cp311-macosx_14_0_arm64.whl": 111_187_938,
    "torch-2.12.0-cp311-cp311-manylinux_2_28_x86_64.whl": 532_170_085,
    "torch-2.13.0-cp312-cp312-manylinux_2_28_x86_64.whl": 526_000_000,
}


def sources(files: dict[str, int | None] | None = None, elsewhere: tuple[str, ...] = ()) -> TorchSources:
    pages = {"torch": files if files is not None else PYPI_FILES}
    return TorchSources("https://pypi.org/simple/", "PyPI (https://pypi.org/simple/)", pages, elsewhere)


def plan(facts: HostFacts | None = None, torch_sources: TorchSources | None = None, **options: Any) -> Plan:
    return make_plan(
        load_profile("torch"),
        facts or host(),
        Options(env="/tmp/e", uv_available=False, **options),
        {},  # nothing answers: download.pytorch.org is unreachable
        torch_sources if torch_sources is not None else sources(),
    )


def test_cpu_host_gets_pypis_cuda_build_unlabelled_with_one_warning_naming_index_sizes_and_fix() -> None:
    result = plan()
    assert result.requirements[0] == "torch==2.13.0"
    assert result.accelerator.value == "cpu" and result.variant.value == "cu130"
    assert result.pypi_torch is not None
    warnings = [w for w in result.warnings if "PyPI's build" in w]
    assert len(warnings) == 1
    line = warnings[0]
    assert CPU_INDEX in line and "527 MB plus about 2.2 GB of CUDA libraries" in line
    assert "192 MB for the CPU build" in line and "`pytorch` role" in line and "llmenv bundle" in line
    assert "--require-pytorch-index" in line
    assert not any("is unreachable; using the configured indexes" in w for w in result.warnings)


def test_html_index_without_sizes_says_about_from_the_table() -> None:
    result = plan(torch_sources=sources({LINUX: None}))
    build = result.pypi_torch
    assert build is not None and not build.sizes_from_index
    assert "about 527 MB plus about 2.2 GB" in build.warning()
    assert build.total_bytes == 526_574_961 + PYPI_LINUX_CUDA_LIBS_BYTES


@pytest.mark.parametrize(
    ("os_name", "machine", "wheel", "variant"),
    [
        ("Windows", "AMD64", "torch-2.13.0-cp311-cp311-win_amd64.whl", "cpu"),
        ("Darwin", "arm64", "torch-2.13.0-cp311-cp311-macosx_14_0_arm64.whl", "cpu"),
        # From 2.11 the CUDA requirement's marker is `platform_system == "Linux"` alone: aarch64 gets CUDA too.
        ("Linux", "aarch64", "torch-2.13.0-cp311-cp311-manylinux_2_28_aarch64.whl", "cu130"),
    ],
)
def test_pypis_build_per_platform(os_name: str, machine: str, wheel: str, variant: str) -> None:
    build = pypi_build(("torch==2.13.0",), ["torch"], CPU_INDEX, (os_name, machine, "3.11.7"), sources())
    assert build is not None and build.variant == variant and build.files[0][1] == wheel
    assert ("CUDA libraries" in build.warning()) == (variant != "cpu")
    assert (": the CPU build, " in build.warning()) == (variant == "cpu")
    assert ("`pytorch` role" in build.warning()) == (variant != "cpu")  # nothing smaller to get where it is CPU


def test_forbidden_by_flag_or_profile_keeps_the_labelled_pin_and_the_old_warning() -> None:
    by_flag = plan(pypi_torch=False)
    assert by_flag.requirements[0] == "torch==2.13.0+cpu" and by_flag.pypi_torch is None
    assert any("is unreachable" in w for w in by_flag.warnings)
    profile = replace(load_profile("torch"), pytorch_index="required")
    by_profile = make_plan(profile, host(), Options(env="/tmp/e", uv_available=False), {}, sources())
    assert by_profile.requirements[0] == "torch==2.13.0+cpu" and by_profile.pypi_torch is None


def test_labelled_build_in_find_links_wins_over_pypis() -> None:
    """This machine's case: find-links holds torch-2.13.0+cpu, so the existing fallback stays."""
    result = plan(torch_sources=sources(elsewhere=("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl",)))
    assert result.requirements[0] == "torch==2.13.0+cpu" and result.pypi_torch is None


@pytest.mark.parametrize(
    "files",
    [
        {},  # the index does not carry torch at all
        {"torch-2.12.0-cp311-cp311-manylinux_2_28_x86_64.whl": 1},  # not the pinned release
        {"torch-2.13.0-cp312-cp312-manylinux_2_28_x86_64.whl": 1},  # not for this Python
        {"torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl": 1},  # labelled: that is the old path's job
        {LINUX: 1, "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl": 1},  # a proxy merging both indexes
    ],
)
def test_no_fitting_wheel_on_the_default_index_means_no_fallback(files: dict[str, int | None]) -> None:
    assert pypi_build(("torch==2.13.0",), ["torch"], CPU_INDEX, ("Linux", "x86_64", "3.11.7"), sources(files)) is None


def test_not_probed_means_no_fallback() -> None:
    assert pypi_build(("torch==2.13.0",), ["torch"], CPU_INDEX, ("Linux", "x86_64", "3.11.7"), None) is None


def test_gpu_with_driver_580_is_served_by_pypis_cu130_build() -> None:
    facts = host(nvidia=nvidia("580.65.06", ("NVIDIA H100 80GB HBM3", "9.0")))
    result = plan(facts)
    assert result.accelerator.value == "cuda" and result.variant.value == "cu130"
    assert result.requirements[0] == "torch==2.13.0"
    assert "PyPI's build" in result.variant.why


def test_gpu_with_driver_550_is_not_served_said_as_for_any_build() -> None:
    facts = host(nvidia=nvidia("550.54.15", ("NVIDIA H100 80GB HBM3", "9.0")))
    result = plan(facts)
    assert result.accelerator.value == "cpu" and result.variant.value == "cu130"
    gpu = [w for w in result.warnings if w.startswith("GPU NOT USED")]
    assert len(gpu) == 1 and "cannot run CUDA 13.0 builds" in gpu[0] and "580" in gpu[0]
    with pytest.raises(HostError) as info:
        plan(facts, accelerator="cuda")
    assert "did not answer" in info.value.what and "580" in (info.value.fix or "")


def test_pascal_gpu_is_not_served_by_cu130() -> None:
    facts = host(nvidia=nvidia("580.65.06", ("NVIDIA GeForce GTX 1080 Ti", "6.1")))
    result = plan(facts)
    assert result.accelerator.value == "cpu"
    assert any("no kernels for sm_61" in w for w in result.warnings)


def test_windows_cuda_host_gets_pypis_cpu_build_and_gpu_not_used() -> None:
    facts = host(system=system(os="Windows", machine="AMD64"), nvidia=nvidia("580.65.06", ("RTX 4090", "8.9")))
    result = plan(facts)
    assert result.variant.value == "cpu" and result.accelerator.value == "cpu"
    assert any("not a cuda one" in w for w in result.warnings)


def test_pypi_table_per_release() -> None:
    assert pypi_variant("2.13.0", "Linux", "x86_64") == "cu130"
    assert pypi_variant("2.10.0", "Linux", "x86_64") == "cu128"
    assert pypi_variant("2.13.0", "Darwin", "arm64") == "cpu"
    assert pypi_variant("2.13.0", "Linux", "aarch64") == "cu130" and pypi_variant("2.10.0", "Linux", "aarch64") == "cpu"
    assert pypi_variant("9.9.0", "Linux", "x86_64") == "cuda"  # unknown release: unknown CUDA, not a guess
    assert CPU_BUILD_BYTES < 200_000_000


def test_pep691_project_page_lists_names_and_sizes() -> None:
    body = b'{"files": [{"filename": "torch-2.13.0-cp311-cp311-win_amd64.whl", "size": 122015870}, '
    body += b'{"filename": "torch-2.13.0.tar.gz"}], "meta": {"api-version": "1.1"}, "name": "torch"}'
    kind, _detail, files = judge_page(body, "application/vnd.pypi.simple.v1+json", "find-links")
    assert kind == "ok" and files == ("torch-2.13.0-cp311-cp311-win_amd64.whl", "torch-2.13.0.tar.gz")
    assert json_files(body) == (("torch-2.13.0-cp311-cp311-win_amd64.whl", 122015870), ("torch-2.13.0.tar.gz", None))


def test_a_hostile_index_page_lists_nothing_rather_than_what_a_second_key_says() -> None:
    """Through the door: a duplicate key (two "files" lists) is refused, a boolean is no size."""
    twice = b'{"files": [{"filename": "a.whl"}], "files": [{"filename": "b.whl"}], "meta": {}}'
    assert json_files(twice) == ()
    assert json_files(b'{"files": [{"filename": "a.whl", "size": true}], "meta": {}}') == (("a.whl", None),)


@given(st.binary(max_size=200))
def test_json_files_never_raises_on_any_bytes(body: bytes) -> None:
    assert isinstance(json_files(body), tuple)


def test_stamp_record_round_trips_to_the_same_plan() -> None:
    first = plan()
    record = first.pypi_torch.to_dict()
    again = plan(torch_sources=TorchSources.from_dict(record))
    assert again.stamp_key("x") == first.stamp_key("x")
    assert TorchSources.from_dict({"pages": "nonsense"}) is None and TorchSources.from_dict(None) is None


def test_a_per_variant_project_outside_pytorchs_own_keeps_the_labelled_pin() -> None:
    """Sizes and CUDA of PyPI's build are known for PyTorch's projects only (tables/pypi_torch.py)."""
    files: dict[str, int | None] = {"alpha-1.0-py3-none-any.whl": 10}
    found = TorchSources("https://pypi.org/simple/", "PyPI", {"alpha": files})
    assert pypi_build(("alpha==1.0",), ["alpha"], CPU_INDEX, ("Linux", "x86_64", "3.11.7"), found) is None


_TAGS = st.sampled_from(
    [
        "cp311-cp311-manylinux_2_28_x86_64",
        "cp311-cp311-manylinux_2_28_aarch64",
        "cp312-cp312-manylinux_2_28_x86_64",
        "cp311-cp311-win_amd64",
        "cp311-cp311-macosx_14_0_arm64",
        "py3-none-any",
    ]
)
_VERSIONS = st.sampled_from(["2.13.0", "2.12.0", "2.13.0+cpu", "2.13.0+cu130", "2.13.1"])


@given(st.lists(st.tuples(_VERSIONS, _TAGS), max_size=8), st.sampled_from(["3.11.7", "3.12.1"]))
def test_the_chosen_wheel_is_always_the_pinned_unlabelled_release_for_this_host(
    listed: list[tuple[str, str]], python: str
) -> None:
    from packaging.utils import parse_wheel_filename
    from packaging.version import Version

    files: dict[str, int | None] = {f"torch-{v}-{t}.whl": None for v, t in listed}
    host = ("Linux", "x86_64", python)
    build = pypi_build(("torch==2.13.0",), ["torch"], CPU_INDEX, host, sources(files), "cpu")
    minor = "cp" + "".join(python.split(".")[:2])
    fitting = [
        name
        for name in files
        if Version(name.split("-")[1]) == Version("2.13.0")
        and any(t in name for t in (f"{minor}-{minor}-manylinux_2_28_x86_64", "py3-none-any"))
    ]
    if not fitting or any("2.13.0+cpu" in name for name in files):
        assert build is None  # nothing to install, or the wanted +cpu build is listed: the labelled pin takes it
        return
    assert build is not None and build.files[0][1] in fitting
    assert not parse_wheel_filename(build.files[0][1])[1].local
    assert build.requirements == ("torch==2.13.0",) and not build.sizes_from_index


def test_offline_a_local_folder_with_pypis_build_stands_in_and_says_nothing_was_asked(tmp_path: Path) -> None:
    """A bundle made where only PyPI answered holds PyPI's build: setup from it (offline) plans the same."""
    from llmenv.probe.torch_sources import local_torch_sources

    (tmp_path / LINUX).write_bytes(b"x" * 10)
    (tmp_path / "numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.whl").write_bytes(b"")
    found = local_torch_sources(["torch"], ["/nonexistent", str(tmp_path)])
    assert found is not None and found.offline and found.pages == {"torch": {LINUX: 10}}
    result = plan(torch_sources=found)
    assert result.requirements[0] == "torch==2.13.0" and result.pypi_torch is not None
    assert "was not asked (offline)" in result.pypi_torch.warning()
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    labelled = plan(torch_sources=local_torch_sources(["torch"], [str(tmp_path)]))
    assert labelled.requirements[0] == "torch==2.13.0+cpu"  # the CPU build in the folder wins
    assert local_torch_sources(["torch"], [str(tmp_path / "empty")]) is None


def test_an_install_that_fails_after_the_fallback_says_what_was_being_installed() -> None:
    """Before: the hint said the configured indexes had "no variant build", which is not what went wrong."""
    from llmenv.plan.indexes import install_failure_hint

    hint = install_failure_hint(plan()) or ""
    assert "took PyPI's build of torch==2.13.0 from PyPI" in hint and "about 2.7 GB" in hint
    assert "no variant build" not in hint and "`pytorch` role" in hint
    old = install_failure_hint(plan(pypi_torch=False)) or ""
    assert "torch==2.13.0+cpu build" in old


def test_aarch64_gh200_is_served_by_pypis_cu130_build_by_the_aarch64_arch_list() -> None:
    facts = host(system=system(machine="aarch64"), nvidia=nvidia("580.65.06", ("NVIDIA GH200 480GB", "9.0")))
    result = plan(facts)
    assert result.accelerator.value == "cuda" and result.variant is not None and result.variant.value == "cu130"
    assert result.pypi_torch is not None and result.pypi_torch.files[0][1].endswith("_aarch64.whl")
