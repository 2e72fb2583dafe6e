"""Drift sentences from recorded facts: the host fingerprint from real nvidia-smi output, installed changes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from llmenv.plan.drift import host_changes, host_fingerprint, installed_changes, plan_changes
from llmenv.probe.gpu_nvidia import NvidiaInfo, parse_smi_csv

DATA = Path(__file__).resolve().parents[2] / "data"


def facts_for(driver: str) -> SimpleNamespace:
    """An H100 as nvidia-smi reports it (tests/data/nvidia-smi-query-h100.csv), with the driver version swapped."""
    _, gpus = parse_smi_csv((DATA / "nvidia-smi-query-h100.csv").read_text())
    info = NvidiaInfo(driver, None, "nvidia-smi", tuple(gpus), None)
    return SimpleNamespace(nvidia=SimpleNamespace(value=info), rocm=SimpleNamespace(value=None))


def test_driver_upgrade_that_changes_the_variant_says_what_is_now_possible() -> None:
    before = host_fingerprint(facts_for("550.54.15"), "3.12.3")
    after = host_fingerprint(facts_for("580.65.06"), "3.12.3")
    assert before["gpus"] == ["NVIDIA H100 80GB HBM3 (sm 9.0)"]
    assert host_changes(before, after, ("cu126", "cu130")) == [
        "NVIDIA driver 550.54.15 → 580.65.06: cu130 now possible"
    ]


def test_a_driver_change_that_keeps_the_variant_is_only_named() -> None:
    before = host_fingerprint(facts_for("580.65.06"), "3.12.3")
    after = host_fingerprint(facts_for("580.82.07"), "3.12.3")
    assert host_changes(before, after, ("cu130", "cu130")) == ["NVIDIA driver 580.65.06 → 580.82.07"]


def test_no_recorded_host_gives_no_host_sentences() -> None:
    assert host_changes(None, host_fingerprint(facts_for("580.65.06"), "3.12.3"), ("cpu", "cu130")) == []


def test_installed_changes_name_the_broken_dependent() -> None:
    recorded = {"torch": "2.13.0+cpu", "sympy": "1.14.0", "numpy": "2.2.6"}
    now = {"torch": "2.13.0+cpu", "sympy": "1.12"}
    requires = [
        ("torch", "2.13.0+cpu", "sympy>=1.13.3"),
        ("torch", "2.13.0+cpu", "numpy; extra == 'numpy'"),  # an extra nobody asked for: not a requirement
        ("torch", "2.13.0+cpu", "triton==3.5; platform_machine == 'nonexistent'"),
    ]
    assert installed_changes(recorded, now, requires, {"platform_machine": "x86_64"}) == [
        "numpy was removed",
        "sympy 1.14.0 → 1.12, which conflicts with torch 2.13.0+cpu (requires sympy>=1.13.3)",
    ]


def test_plan_changes_name_the_profile_and_interpreter() -> None:
    stamp = {"profile_hash": "a", "python": "/usr/bin/python3.11", "backend": "uv", "llmenv_version": "1"}
    now = {"profile": "torch", "profile_hash": "b", "python": "/usr/bin/python3.12", "backend": "uv"}
    now["llmenv_version"] = "1"
    assert plan_changes(stamp, now) == [
        "profile torch changed",
        "interpreter /usr/bin/python3.11 → /usr/bin/python3.12",
    ]


def test_an_addition_that_breaks_nothing_is_not_drift() -> None:
    recorded = {"torch": "2.13.0+cpu"}
    requires = [("torch", "2.13.0+cpu", "sympy>=1.13.3"), ("jupyter", "1.1.1", "notebook")]
    now = {"torch": "2.13.0+cpu", "sympy": "1.14.0", "jupyter": "1.1.1", "notebook": "7.4.0"}
    assert installed_changes({**recorded, "sympy": "1.14.0"}, now, requires) == []
    assert installed_changes({**recorded, "sympy": "1.14.0"}, {**now, "notebook": "7.4.0"}, requires) == []
    missing = {k: v for k, v in now.items() if k != "notebook"}
    assert installed_changes({**recorded, "sympy": "1.14.0"}, missing, requires) == [
        "jupyter 1.1.1 was added, whose requirements are not met: jupyter 1.1.1 (requires notebook)"
    ]
