"""Parsers against recorded real-format outputs (tests/data/README.md says where each comes from)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.probe.cuda_toolkit import parse_nvcc_version
from llmenv.probe.gpu_apple import apple_mps
from llmenv.probe.gpu_nvidia import NvidiaGpu, parse_proc_version, parse_smi_csv, parse_smi_q
from llmenv.probe.gpu_rocm import RocmGpu, parse_rocm_version, parse_rocminfo
from llmenv.probe.interpreters import parse_pip_version, parse_py_launcher, parse_shebang, split_path
from llmenv.probe.pipconfig import config_files, effective, parse_pip_ini
from llmenv.probe.system import os_bits, parse_cpuinfo_flags, parse_meminfo, parse_os_release

DATA = Path(__file__).resolve().parents[2] / "data"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_smi_csv_single_h100() -> None:
    assert parse_smi_csv(read("nvidia-smi-query-h100.csv")) == (
        "550.54.15",
        [NvidiaGpu(0, "NVIDIA H100 80GB HBM3", 81559, "9.0")],
    )


def test_smi_csv_mixed_and_old_driver_without_compute_cap() -> None:
    driver, gpus = parse_smi_csv(read("nvidia-smi-query-mixed.csv"))
    assert driver == "560.35.03"
    assert [(g.name, g.compute_capability) for g in gpus] == [
        ("NVIDIA GeForce RTX 4090", "8.9"),
        ("NVIDIA GeForce GTX 1080 Ti", "6.1"),
    ]
    driver, gpus = parse_smi_csv(read("nvidia-smi-query-old-driver.csv"))
    # Drivers before 510 print no compute_cap: NVIDIA's list by product name gives the K80's (tables/gpus.py).
    assert driver == "470.256.02" and gpus[0].compute_capability == "3.7" and gpus[0].memory_mb == 11441


def test_smi_csv_ignores_not_supported_cells() -> None:
    driver, gpus = parse_smi_csv("0, NVIDIA T4, 535.104.05, [N/A], [Not Supported]\n")
    assert driver == "535.104.05" and gpus == [NvidiaGpu(0, "NVIDIA T4", None, None)]


def test_smi_q() -> None:
    assert parse_smi_q(read("nvidia-smi-q-a100.txt")) == ("535.154.05", "12.2", ["NVIDIA A100-SXM4-40GB"])


@pytest.mark.parametrize(
    ("name", "driver"),
    [("proc-driver-nvidia-version-550.txt", "550.54.15"), ("proc-driver-nvidia-version-570-open.txt", "570.86.15")],
)
def test_proc_driver_version(name: str, driver: str) -> None:
    assert parse_proc_version(read(name)) == driver


def test_rocminfo_keeps_gpu_agents_only() -> None:
    assert parse_rocminfo(read("rocminfo-mi210.txt")) == [RocmGpu("gfx90a", "AMD Instinct MI210")]
    assert parse_rocm_version("6.2.0-66\n") == "6.2.0"


def test_nvcc_version_from_this_machine() -> None:
    assert parse_nvcc_version(read("nvcc-version-13.0.txt")) == "13.0"


def test_os_release_files() -> None:
    assert parse_os_release(read("os-release-debian12"))["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)"
    assert parse_os_release(read("os-release-ubuntu2204"))["VERSION_ID"] == "22.04"
    assert parse_os_release(read("os-release-alpine"))["ID"] == "alpine"
    assert parse_os_release(read("os-release-centos7"))["PRETTY_NAME"] == "CentOS Linux 7 (Core)"


def test_cpuinfo_flags_and_meminfo() -> None:
    assert "avx" not in parse_cpuinfo_flags(read("cpuinfo-no-avx.txt"))
    assert "sse4_1" in parse_cpuinfo_flags(read("cpuinfo-no-avx.txt"))
    assert "avx" in parse_cpuinfo_flags(read("cpuinfo-this-machine.txt"))
    assert parse_meminfo("MemTotal:       24683904 kB\nMemFree: 1 kB\nMemAvailable:   20000000 kB\n") == (24105, 19531)


def test_os_bits() -> None:
    assert os_bits("x86_64", 64) == 64
    assert os_bits("AMD64", 32) == 64
    assert os_bits("i686", 32) == 32


def test_py_launcher_both_formats() -> None:
    new = parse_py_launcher(read("py-0p-new.txt"))
    assert new[0] == ("3.13", r"C:\Users\dev\AppData\Local\Programs\Python\Python313\python.exe")
    assert ("3.11-32", r"C:\Users\dev\AppData\Local\Programs\Python\Python311-32\python.exe") in new
    assert len(new) == 4
    assert parse_py_launcher(read("py-0p-old.txt")) == [
        ("3.10-64", r"C:\Python310\python.exe"),
        ("3.9-32", r"C:\Python39-32\python.exe"),
    ]


def test_shebang_and_pip_version() -> None:
    assert parse_shebang("#!/usr/bin/python3 -E") == ["/usr/bin/python3", "-E"]
    assert parse_shebang("import sys") is None
    text = "pip 23.2.1 from /root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/pip (python 3.11)\n"
    assert parse_pip_version(text) == ("23.2.1", "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages", "3.11")


def test_split_path_finds_missing_duplicates_and_empty(tmp_path: Path) -> None:
    real = tmp_path / "bin"
    real.mkdir()
    entries, missing, duplicates, empty = split_path(f"{real}::{tmp_path / 'gone'}:{real}/")
    assert missing == [str(tmp_path / "gone")]
    assert duplicates == [f"{real}/"]
    assert empty is True
    assert entries[0] == str(real)


def test_apple_mps_rules() -> None:
    assert apple_mps("Linux", "x86_64", "") is None
    mps = apple_mps("Darwin", "arm64", "14.5")
    assert mps is not None and mps.mps_capable
    old = apple_mps("Darwin", "arm64", "12.1")
    assert old is not None and not old.mps_capable
    intel = apple_mps("Darwin", "x86_64", "13.6")
    assert intel is not None and not intel.mps_capable and "2.2.2" in intel.reason


def test_pip_config_precedence_follows_pip(tmp_path: Path) -> None:
    files = config_files({"XDG_CONFIG_DIRS": "/etc/xdg"}, system="Linux", home=tmp_path, prefix="/venv")
    assert [(k, str(p)) for k, p in files] == [
        ("global", "/etc/xdg/pip/pip.conf"),
        ("global", "/etc/pip.conf"),
        ("user", f"{tmp_path}/.pip/pip.conf"),
        ("user", f"{tmp_path}/.config/pip/pip.conf"),
        ("site", "/venv/pip.conf"),
    ]
    windows = config_files({"APPDATA": r"C:\Users\u\AppData\Roaming"}, system="Windows", home=tmp_path, prefix=r"C:\v")
    assert windows[0][0] == "global" and windows[-1][1].name == "pip.ini"
    global_ = parse_pip_ini("[global]\nindex-url = https://a/simple\nfind-links = /w1\n[install]\nfind-links = /w2\n")
    user = parse_pip_ini("[global]\nindex-url = https://u:secret@b/simple\n")
    settings = effective([("/etc/pip.conf", global_), ("~/.config/pip/pip.conf", user)], {"PIP_TRUSTED_HOST": "h"})
    assert settings["index-url"].value.reveal() == "https://u:secret@b/simple"
    assert str(settings["index-url"].value) == "https://u:****@b/simple"
    assert settings["find-links"].values() == ["/w2"] and settings["find-links"].origin == "/etc/pip.conf [install]"
    assert settings["trusted-host"].origin == "env PIP_TRUSTED_HOST"


def test_interpreters_pruned_by_version_in_their_path() -> None:
    from packaging.specifiers import SpecifierSet

    from llmenv.probe.interpreters import might_satisfy

    wanted = SpecifierSet(">=3.10,<3.14")
    assert not might_satisfy("/root/.pyenv/versions/3.8.18/bin/python", wanted)
    assert might_satisfy("/root/.pyenv/versions/3.12.1/bin/python", wanted)
    assert not might_satisfy("/usr/bin/python3.14", wanted)
    assert might_satisfy("/usr/bin/python3", wanted)  # no version in the name: must be asked
    assert might_satisfy("/home/u/.local/share/uv/python/cpython-3.11.9-linux-x86_64-gnu/bin/python3", wanted)
    assert might_satisfy("/usr/bin/python2.7", None)


def test_smi_csv_with_uuid_and_smi_list_with_mig() -> None:
    from llmenv.probe.gpu_nvidia import parse_smi_list

    driver, gpus = parse_smi_csv(read("nvidia-smi-query-1080ti-5090.csv"))
    assert driver == "580.65.06"
    assert [(g.compute_capability, g.uuid) for g in gpus] == [
        ("6.1", "GPU-4f7d1a1e-2b9c-8d3e-6a5f-0c1b2d3e4f50"),
        ("12.0", "GPU-9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4"),
    ]
    old = parse_smi_csv("0, Tesla K80, 470.256.02, 11441, GPU-0a1b\n")[1][0]
    # The query without compute_cap (drivers before 510): the K80's capability comes from NVIDIA's list by name.
    assert old.compute_capability == "3.7" and old.uuid == "GPU-0a1b"
    unnamed = parse_smi_csv("0, NVIDIA Graphics Device, 470.256.02, 11441, GPU-0a1b\n")[1][0]
    assert unnamed.compute_capability is None
    assert parse_smi_list(read("nvidia-smi-L-a100-mig.txt")) == {
        "GPU-5c89852c-d268-c3f3-1b07-005d5ae1dc3f": (
            "MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f",
            "MIG-cba663e8-9bed-5b7d-80da-7a6a72fa1d1c",
        ),
        "GPU-1d2e3f40-5a6b-7c8d-9e0f-a1b2c3d4e5f6": (),
    }


@pytest.mark.parametrize(
    ("name", "broken"),
    [("nvidia-smi-failed-driver.txt", True), ("nvidia-smi-nvml-mismatch.txt", True)],
)
def test_broken_driver_messages(name: str, broken: bool) -> None:
    from llmenv.probe.gpu_nvidia import driver_broken

    assert driver_broken(read(name)) is broken
    assert driver_broken("NVML did not initialise: NVML Shared Library Not Found") is False  # no driver at all
    assert driver_broken(None) is False
