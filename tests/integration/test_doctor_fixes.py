"""Every failing env.* finding's fix, applied literally: the command is parsed out of the fix text and run, then
doctor runs again and the finding passes. Real envs from a local index on 127.0.0.1, broken as a user would."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel
from tests.integration.test_setup import profile, use_index

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "alpha", "2.0")
    make_wheel(folder, "beta", "1.0", requires=("alpha>=2",))
    with serve(IndexServer(folder)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        yield server


def doctor(cli: Callable[..., CliResult], spec: Path, env: Path) -> dict[str, dict[str, str]]:
    result = cli("doctor", "--profile", str(spec), "--env", str(env), "--offline", "--json")
    return {f["id"]: f for f in json.loads(result.out)["findings"] if f["id"].startswith("env.")}


def apply_fix(cli: Callable[..., CliResult], fix: str) -> None:
    """Run the `llmenv ...` command quoted in a fix text exactly as written (as a user pasting it would)."""
    commands = [c for c in re.findall(r"`([^`]+)`", fix) if c.startswith("llmenv ")]
    assert commands, f"no llmenv command in the fix: {fix}"
    argv = shlex.split(commands[0])
    assert "--env" in argv, f"the fix does not name the env: {fix}"
    result = cli(*argv[1:])
    assert result.code == 0, result.err


def fix_then_pass(cli: Callable[..., CliResult], spec: Path, env: Path, ids: list[str]) -> None:
    before = doctor(cli, spec, env)
    failing = sorted(i for i, f in before.items() if f["status"] == "fail")
    assert failing == sorted(ids), before
    apply_fix(cli, before[ids[0]]["fix"])
    after = doctor(cli, spec, env)
    assert [i for i, f in after.items() if f["status"] == "fail"] == [], after
    # env.python-range is reported only when it fails; the others report their pass.
    assert all(after[i]["status"] == "ok" for i in ids if i != "env.python-range")


@pytest.fixture
def built(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> tuple[Path, Path]:
    spec = profile(tmp_path, "alpha==2.0", "beta==1.0")
    env = tmp_path / "my env"  # a space: the command must be quoted to work when pasted
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    return spec, env


def pip(env: Path, *args: str) -> None:
    subprocess.run([str(env / "bin" / "python"), "-m", "pip", "-q", *args], check=True, capture_output=True)


def test_env_python_no_environment(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> None:
    """Failed before the fix: `llmenv setup --env ENV` without the profile builds the default (transformers)."""
    spec = profile(tmp_path, "alpha==2.0", "beta==1.0")
    fix_then_pass(cli, spec, tmp_path / "new env", ["env.python"])


def test_env_python_interpreter_gone(cli: Callable[..., CliResult], built: tuple[Path, Path]) -> None:
    spec, env = built
    python = env.resolve() / "bin" / "python"
    python.unlink()
    python.symlink_to("/nonexistent/python3")  # the base interpreter was removed
    fix_then_pass(cli, spec, env, ["env.python"])


def test_env_versions_and_dependencies(cli: Callable[..., CliResult], built: tuple[Path, Path]) -> None:
    """Failed before the fix: "re-run `llmenv setup`" named neither profile nor env, and setup said up to date."""
    spec, env = built
    pip(env, "install", "--no-deps", "alpha==1.0")
    fix_then_pass(cli, spec, env, ["env.versions", "env.dependencies"])


def test_env_dependencies_alone(cli: Callable[..., CliResult], built: tuple[Path, Path], tmp_path: Path) -> None:
    _, env = built
    pip(env, "install", "--no-deps", "alpha==1.0")
    loose = tmp_path / "loose.yaml"
    loose.write_text(
        "name: loose\npython: '>=3.10'\naccelerator: cpu\nallow_unpinned: [alpha]\n"
        "packages: ['alpha>=1', 'beta==1.0']\nchecks:\n  imports: [alpha, beta]\n"
    )
    before = doctor(cli, loose, env)
    assert before["env.dependencies"]["status"] == "fail" and before["env.versions"]["status"] == "ok"
    apply_fix(cli, before["env.dependencies"]["fix"])
    assert doctor(cli, loose, env)["env.dependencies"]["status"] == "ok"


def test_env_import_missing_module(cli: Callable[..., CliResult], built: tuple[Path, Path]) -> None:
    """The files are gone but the metadata says installed: only --force, which the fix gives, rebuilds it."""
    spec, env = built
    shutil.rmtree(next(env.resolve().glob("lib/python*/site-packages/alpha")))
    fix_then_pass(cli, spec, env, ["env.import.alpha"])


def test_env_import_broken_module(cli: Callable[..., CliResult], built: tuple[Path, Path]) -> None:
    spec, env = built
    init = next(env.resolve().glob("lib/python*/site-packages/alpha/__init__.py"))
    # Replaced, not edited in place: uv hard-links files from its cache, so an in-place edit would damage the
    # cache too and every rebuild after it (a separate problem: `uv cache clean alpha`).
    init.unlink()
    init.write_text("raise ImportError('damaged by hand')\n")
    fix_then_pass(cli, spec, env, ["env.import.alpha"])


def test_env_python_range(cli: Callable[..., CliResult], built: tuple[Path, Path], tmp_path: Path) -> None:
    """The env's Python is outside the range of the profile doctor judges it by; the fix rebuilds with one inside.
    Needs a second interpreter (3.12 or 3.13) on this host."""
    _, env = built
    newer = profile(tmp_path, "alpha==2.0", "beta==1.0", name="newer")
    newer.write_text(newer.read_text().replace("python: '>=3.10'", "python: '>=3.12,<3.14'"))
    from llmenv.probe.interpreters import probe_interpreters

    found = [i for i in probe_interpreters().interpreters if i.version.startswith(("3.12", "3.13"))]
    if not found:
        pytest.skip("no Python 3.12 or 3.13 on this host")
    fix_then_pass(cli, newer, env, ["env.python-range"])


def test_setup_install_failure_fix_names_the_profile_for_doctor(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    """Failed before: the fix said "`llmenv doctor` checks reachability", which checks the default profile."""
    spec = profile(tmp_path, "alpha==9.9")
    failed = cli("setup", str(spec), "--env", str(tmp_path / "env"), "--skip-smoke")
    assert failed.code == 4
    fix = failed.err.split("Fix:", 1)[1]
    command = shlex.split(re.findall(r"`(llmenv [^`]+)`", fix)[0])
    assert command == ["llmenv", "doctor", "--profile", str(spec)]
    report = json.loads(cli(*command[1:], "--offline", "--json").out)
    assert report["profile"] == "tiny"
