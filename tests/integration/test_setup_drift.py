"""A re-run of `llmenv setup` compares the env with its stamp: packages changed by hand are named and repaired.

Real envs built from a local index on 127.0.0.1, changed with the env's own pip as a user would."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmenv.execute.store import STAMP
from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel
from tests.integration.test_setup import profile, use_index, version_in
from tests.integration.test_setup_torch import wheelhouse  # noqa: F401 (a fixture)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "alpha", "2.0")
    make_wheel(folder, "beta", "1.0", requires=("alpha>=2",))
    make_wheel(folder, "gamma", "1.0")
    make_wheel(folder, "delta", "1.0", requires=("alpha<2",))
    with serve(IndexServer(folder)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        yield server


def pip(env: Path, *args: str) -> None:
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "-q", *args], check=True, capture_output=True)


def built(cli: Callable[..., CliResult], tmp_path: Path) -> tuple[Path, Path]:
    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==2.0", "beta==1.0")
    first = cli("setup", str(spec), "--env", str(env), "--json")
    assert first.code == 0, first.err
    stamp = json.loads((env / STAMP).read_text())
    assert stamp["installed"]["alpha"] == "2.0" and stamp["installed"]["beta"] == "1.0"
    assert stamp["host"]["python_version"] == f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
    return env, spec


def test_a_downgrade_that_breaks_a_dependent_is_named_and_repaired(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before the fix: the re-run said "up to date; nothing to do" with alpha 1.0 breaking beta."""
    env, spec = built(cli, tmp_path)
    pip(env, "install", "--no-deps", "alpha==1.0")
    rerun = cli("setup", str(spec), "--env", str(env), "--json")
    assert rerun.code == 0, rerun.err
    report = json.loads(rerun.out)
    assert report["status"] == "repaired"
    assert report["changes"] == ["alpha 2.0 → 1.0, which conflicts with beta 1.0 (requires alpha>=2)"]
    assert version_in(env) == "2.0"
    assert cli("setup", str(spec), "--env", str(env), "--json").out.count('"up-to-date"') == 1


def test_a_removed_package_is_named_and_repaired(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before the fix: uninstalling a pinned package went unnoticed by the re-run."""
    env, spec = built(cli, tmp_path)
    pip(env, "uninstall", "-y", "alpha")
    rerun = cli("setup", str(spec), "--env", str(env))
    assert rerun.code == 0, rerun.err
    assert "Repaired" in rerun.out
    assert "changed: alpha was removed, which beta 1.0 (requires alpha>=2) needs" in rerun.out
    assert version_in(env) == "2.0"


def test_a_package_added_beside_the_profile_is_kept(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Every pin still holds and nothing conflicts: doctor --env passes, so setup calls it up to date and keeps
    the user's addition rather than rebuilding it away."""
    env, spec = built(cli, tmp_path)
    pip(env, "install", "gamma==1.0")
    report = json.loads(cli("setup", str(spec), "--env", str(env), "--json").out)
    assert report["status"] == "up-to-date" and report["changes"] == []
    assert version_in(env, "gamma") == "1.0"


def test_an_added_package_that_breaks_a_requirement_is_repaired(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    env, spec = built(cli, tmp_path)
    pip(env, "install", "--no-deps", "delta==1.0")
    report = json.loads(cli("setup", str(spec), "--env", str(env), "--json").out)
    assert report["status"] == "repaired"
    assert report["changes"] == ["delta 1.0 was added, whose requirements are not met: delta 1.0 (requires alpha<2)"]
    assert "delta" not in json.loads((env / STAMP).read_text())["installed"]


def test_a_changed_profile_is_an_update_that_says_why(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    env, _ = built(cli, tmp_path)
    spec = profile(tmp_path, "alpha==2.0", "beta==1.0", "gamma==1.0")
    report = json.loads(cli("setup", str(spec), "--env", str(env), "--json").out)
    assert report["status"] == "updated" and report["changes"] == ["profile tiny changed"]


def test_no_op_rerun_starts_no_process_in_the_env(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """The fingerprint is read from site-packages: the up-to-date path runs nothing (it ran `python -c pass`).
    Spied where processes start (the `subprocess.Popen` audit event), so a module that bound `run` at import, or
    calls subprocess itself, is seen too."""
    env, spec = built(cli, tmp_path)
    with processes_started() as started:
        result = cli("setup", str(spec), "--env", str(env), "--json")
    assert json.loads(result.out)["status"] == "up-to-date"
    assert started == [], started  # no process at all, in the env or elsewhere


_SPYING: list[list[str]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "subprocess.Popen" and _SPYING is not None:
        _SPYING.append([str(a) for a in (args[1] if isinstance(args[1], (list, tuple)) else [args[1]])])


@contextlib.contextmanager
def processes_started() -> Iterator[list[list[str]]]:
    """Every process this interpreter starts while the block runs (an audit hook cannot be removed: it is added
    once and only records inside the block)."""
    global _SPYING
    if not getattr(sys, "_llmenv_test_audit", False):
        sys.addaudithook(_audit)
        sys._llmenv_test_audit = True  # type: ignore[attr-defined]
    _SPYING = []
    try:
        yield _SPYING
    finally:
        _SPYING = None


def test_the_process_spy_sees_a_process_started_behind_a_bound_name() -> None:
    """The spy can fail: a process started through a name bound at import (as verify/env/plumbing binds `run`)."""
    from llmenv.verify.env import plumbing

    with processes_started() as started:
        plumbing.run([sys.executable, "-c", "pass"], timeout=30)
    assert started and started[0][-1] == "pass"


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.usefixtures("wheelhouse")
def test_sympy_downgrade_in_a_torch_env_is_named_and_repaired(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """The issue's repro: `pip install sympy==1.12` into a built torch env. Failed before the fix: "up to date;
    nothing to do" while `llmenv doctor --env` failed. sympy 1.12 comes from PyPI (or the machine's indexes)."""
    env = tmp_path / "torch-env"
    assert cli("setup", "torch", "--env", str(env), "--skip-smoke").code == 0
    pip(env, "install", "--no-deps", "sympy==1.12")
    assert env_failures(cli, env) == ["env.dependencies"]
    rerun = cli("setup", "torch", "--env", str(env), "--skip-smoke", "--json")
    report = json.loads(rerun.out)
    assert report["status"] == "repaired", rerun.err
    assert report["changes"] == ["sympy 1.14.0 → 1.12, which conflicts with torch 2.13.0+cpu (requires sympy>=1.13.3)"]
    assert env_failures(cli, env) == []


def env_failures(cli: Callable[..., CliResult], env: Path) -> list[str]:
    report = json.loads(cli("doctor", "--profile", "torch", "--env", str(env), "--offline", "--json").out)
    return [f["id"] for f in report["findings"] if f["status"] == "fail" and f["id"].startswith("env.")]


def test_a_new_gpu_driver_that_changes_the_build_is_named(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host facts the plan used are in the stamp: a driver appearing (here through LLMENV_CUDA_DRIVER, the
    documented stand-in for a GPU host) makes the re-run an update that says what the driver now allows."""
    spec = tmp_path / "gpuish.yaml"
    spec.write_text(
        "name: gpuish\npython: '>=3.10'\naccelerator: auto\npackages: ['alpha==1.0']\n"
        "accelerators:\n  cuda:\n    packages: ['alpha==2.0']\nchecks:\n  imports: [alpha]\n  gpu: 'off'\n"
    )
    env = tmp_path / "env"
    assert json.loads(cli("setup", str(spec), "--env", str(env), "--json").out)["status"] == "created"
    assert json.loads((env / STAMP).read_text())["host"]["nvidia_driver"] is None
    monkeypatch.setenv("LLMENV_CUDA_DRIVER", "580.65.06")
    monkeypatch.setenv("LLMENV_GPU_CC", "8.0")
    report = json.loads(cli("setup", str(spec), "--env", str(env), "--json").out)
    assert report["status"] == "updated"
    assert report["changes"][0] == "NVIDIA driver none → 580.65.06: cuda now possible"
    assert "accelerator cpu → cuda" in report["changes"]
    assert version_in(env) == "2.0"
