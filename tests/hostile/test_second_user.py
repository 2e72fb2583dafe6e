"""A second local user against every input that decides what root runs (issue 18, items 2, 3 and 6): the lock
folder, the env store's folder, the cache, programs on PATH and an env's site-packages (`.pth` files).

The other user is real: `setpriv --reuid=nobody` writes their files (needs root; skipped otherwise). Each case
asserts the refusal (exit 5, one paragraph naming the path, a fix) or the report, and that nothing the other user
planted ran: every planted program and `.pth` touches a marker file when it runs.

Failed before the ownership rule (`llmenv.trust`): the lock cases (the lock another user wrote was installed), the
0777 store parent, the shared cache, every PATH case (their nvidia-smi and python3.X ran during doctor) and the
umask cases (site-packages world-writable under umask 000, group-writable under 002; `doctor --env` ran the
planted `.pth` and a re-run said "up to date")."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.errors import ExitCode
from tests.conftest import CliResult
from tests.helpers.background import wait_for_background
from tests.hostile.bundles import make_bundle
from tests.hostile.conftest import assert_clean, llmenv
from tests.hostile.test_bundle_trust import cache, open_it  # noqa: F401 (fixture)
from tests.hostile.test_store_ownership import AS_NOBODY, as_nobody
from tests.integration.test_setup import index, profile, wheels  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
        reason="needs root and setpriv to act as a second user",
    ),
]


def folder(path: Path, mode: int) -> Path:
    path.mkdir()
    path.chmod(mode)
    return path


def planted_program(where: Path, name: str, marker: Path) -> None:
    """As nobody (who must be able to write `where`): a program that leaves `marker` when it runs."""
    # It appends its own path and the command line of whatever started it, so a failure names the way in.
    script = '#!/bin/sh\necho "$0 started by: $(tr "\\\\0" " " < /proc/$PPID/cmdline)" >> "%s"\nexit 0\n'
    as_nobody('printf \'%s\' "$3" > "$1" && chmod 755 "$1"', str(where / name), str(marker), script % marker)


def write_as_nobody(path: Path, data: bytes) -> None:
    subprocess.run([*AS_NOBODY, "/bin/sh", "-c", 'cat > "$1"', "sh", str(path)], input=data, check=True, timeout=30)


def refused(result: CliResult | object, *phrases: str) -> None:
    code, err = result.code, result.err
    assert code == ExitCode.UNSAFE_STORE, err
    assert "Traceback" not in err and "Fix:" in err, err
    for phrase in phrases:
        assert phrase in err, err


# ---- locks --------------------------------------------------------------------------------------------------------


def real_lock(cli: Callable[..., CliResult], spec: Path, out: Path) -> Path:
    result = cli("lock", str(spec), "--output-dir", str(out))
    assert result.code == 0, result.err
    (lock,) = out.glob("*.lock.txt")
    return lock


LOCK_CASES = ["lock-file-by-nobody", "lock-folder-by-nobody", "lock-folder-0777", "project-folder-0777"]


@pytest.mark.usefixtures("index")
@pytest.mark.parametrize("case", LOCK_CASES)
def test_a_lock_another_user_could_write_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """`./llmenv-locks/` is read by every setup in the project folder: a lock there that another user wrote (or
    could replace) decides what root installs. Refused (exit 5) naming it, before anything is installed."""
    spec = profile(tmp_path, "alpha==1.0")
    made = real_lock(cli, spec, tmp_path / "made")
    modes = {"project-folder-0777": 0o777, "lock-folder-by-nobody": 0o1777}  # 1777: a project in a /tmp-like folder
    project = folder(shared / "project", modes.get(case, 0o755))
    locks = project / "llmenv-locks"
    if case == "lock-folder-by-nobody":
        as_nobody('mkdir -m 755 "$1"', str(locks))
        write_as_nobody(locks / made.name, made.read_bytes())
    else:
        folder(locks, 0o777 if case == "lock-folder-0777" else 0o755)
        shutil.copy(made, locks / made.name)
        if case == "lock-file-by-nobody":
            os.chown(locks / made.name, 65534, 65534)  # a lock another user made (and can rewrite at will)
    monkeypatch.chdir(project)
    result = cli("setup", str(spec), "--env", str(tmp_path / "env"))
    refused(result, "lock file")
    assert not (tmp_path / "env").exists() and not (tmp_path / "env.llmenv").exists()


# ---- stores and caches --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("index")
def test_an_env_in_a_world_writable_folder_without_the_sticky_bit_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    """Anyone can rename entries of a 0777 folder: the store could be swapped between its check and its use."""
    parent = folder(shared / "scratch", 0o777)
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(parent / "env"))
    refused(result, str(parent), "every user")
    assert list(parent.iterdir()) == []


@pytest.mark.usefixtures("index")
def test_an_env_of_ones_own_in_a_sticky_folder_is_used(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    """/tmp-like folders stay usable: the sticky bit keeps others from renaming what root created there."""
    parent = folder(shared / "tmp", 0o1777)
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(parent / "env"), "--skip-smoke")
    assert result.code == 0, result.err


CACHE_CASES = ["cache-in-0777-folder", "cache-by-nobody-in-sticky-folder", "cache-folder-0777"]


@pytest.mark.parametrize("case", CACHE_CASES)
def test_a_cache_another_user_could_write_is_refused(tmp_path: Path, shared: Path, case: str) -> None:
    """The unpacked bundle and smoke data are used from LLMENV_CACHE_DIR: a swap there changes what is installed."""
    if case == "cache-in-0777-folder":
        cache = folder(shared / "scratch", 0o777) / "cache"
    elif case == "cache-by-nobody-in-sticky-folder":
        cache = folder(shared / "tmp", 0o1777) / "cache"
        as_nobody('mkdir -m 755 "$1"', str(cache))
    else:
        cache = folder(shared / "cache", 0o777)
    bundle = tmp_path / "b.tar"
    bundle.write_bytes(b"\0" * 1024)
    result = llmenv(
        "setup", "--bundle", str(bundle), "--env", str(tmp_path / "env"), env={"LLMENV_CACHE_DIR": str(cache)}
    )
    assert_clean(result, ExitCode.UNSAFE_STORE)
    assert "cache" in result.err and "LLMENV_CACHE_DIR" in result.err
    assert not (tmp_path / "env").exists()


# ---- programs on PATH ---------------------------------------------------------------------------------------------

PATH_CASES = ["folder-by-nobody", "folder-0777", "empty-entry", "relative-entry"]


@pytest.mark.parametrize("case", PATH_CASES)
def test_programs_another_user_put_on_path_are_reported_not_run(tmp_path: Path, shared: Path, case: str) -> None:
    """Their `nvidia-smi` and `python3.X` would run as root during doctor and setup."""
    marker = shared / "ran"
    minor = ".".join(platform.python_version_tuple()[:2])
    work = folder(shared / "work", 0o755)
    if case == "folder-by-nobody":
        evil = folder(shared / "tmp", 0o1777) / "evil"
        as_nobody('mkdir -m 755 "$1"', str(evil))
        entry = str(evil)
    elif case == "folder-0777":
        evil = folder(shared / "evil", 0o777)
        entry = str(evil)
    else:
        evil = folder(work / "bin", 0o777) if case == "relative-entry" else folder(shared / "w2", 0o777)
        entry = "bin" if case == "relative-entry" else ""
        if case == "empty-entry":
            work = evil
    for name in ("nvidia-smi", f"python{minor}", "python3", "rocminfo", "nvcc"):
        planted_program(evil, name, marker)
    path = f"{entry}:{os.environ['PATH']}"
    result = llmenv("doctor", "--json", "--offline", cwd=work, env={"PATH": path, "PIP_CONFIG_FILE": "/dev/null"})
    assert result.code in (0, 1), result.text
    assert "Traceback" not in result.text
    assert not marker.exists(), f"a program another user planted ran: {marker.read_text()}"
    findings = {f["id"]: f for f in json.loads(result.out)["findings"]}
    reported = {"empty-entry": "path.empty-entry", "relative-entry": "path.relative-entry"}.get(
        case, "path.untrusted-entry"
    )
    assert findings[reported]["status"] == "warn", findings.get(reported)
    interpreters = json.dumps(findings.get("python.supported", {}))
    assert str(evil) not in interpreters


# ---- env modes and .pth files -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("index")
@pytest.mark.parametrize("umask", [0o000, 0o002])
def test_an_env_has_private_modes_whatever_the_umask(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path, umask: int
) -> None:
    """Before: under umask 000 the env's site-packages was world-writable (under 002, group-writable), so another
    user could add a .pth file that root's next `doctor --env` ran."""
    from llmenv.trust import writable_by_others

    env = folder(shared / "home", 0o755) / "env"
    spec = profile(tmp_path, "alpha==1.0")
    old = os.umask(umask)
    try:
        result = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    finally:
        os.umask(old)
    assert result.code == 0, result.err
    paths, count = writable_by_others(env.resolve())
    assert count == 0, paths
    (site,) = env.resolve().glob("lib/python*/site-packages")
    with pytest.raises(subprocess.CalledProcessError):
        as_nobody('echo "import os" > "$1"', str(site / "evil.pth"))


@pytest.mark.usefixtures("index")
def test_a_planted_pth_in_an_env_others_can_write_is_never_run(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    """An env left world-writable (built before this rule, or chmod'ed by hand), and a .pth another user added:
    `doctor --env` and `smoke` refuse to run its Python (exit 5), and a re-run rebuilds instead of saying "up to
    date"; the .pth never runs."""
    env = folder(shared / "home", 0o755) / "env"
    spec = profile(tmp_path, "alpha==1.0")
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    wait_for_background()  # setup's detached bytecode warm-up ran the env's Python before anything was planted
    (site,) = env.resolve().glob("lib/python*/site-packages")
    site.chmod(0o777)
    marker = shared / "pth-ran"
    line = f"import sys; open({str(marker)!r}, 'a').write(repr(sys.argv) + sys.executable)\n"
    write_as_nobody(site / "evil.pth", line.encode())
    doctor = cli("doctor", "--env", str(env), "--profile", str(spec), "--offline")
    refused(doctor, "site-packages", "--force")
    smoke = cli("smoke", "--env", str(env))
    refused(smoke)
    again = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    assert again.code == 0, again.err
    assert "up to date" not in again.out + again.err
    assert "written by others" in again.out + again.err
    assert not marker.exists(), marker.read_text()
    assert not list(env.resolve().glob("lib/python*/site-packages/evil.pth"))


@pytest.mark.parametrize("how", ["--python PATH", "a pyenv version"])
def test_an_interpreter_another_user_could_replace_is_never_run(tmp_path: Path, shared: Path, how: str) -> None:
    """Named with --python, or found where discovery looks beyond PATH (pyenv's versions): an interpreter in a
    folder another user owns is not asked its version (that runs it), so it is never chosen and no installer
    starts it either."""
    marker = shared / "ran"
    evil = shared / "evil"
    as_nobody('mkdir -p -m 755 "$1/versions/3.11.99/bin"', str(evil))
    planted_program(evil / "versions" / "3.11.99" / "bin", "python", marker)
    python = evil / "versions" / "3.11.99" / "bin" / "python"
    if how == "--python PATH":
        result = llmenv("setup", "torch", "--python", str(python), "--dry-run", cwd=tmp_path)
        assert_clean(result, ExitCode.HOST_UNSUITABLE)
        assert "is not run" in result.err
    else:
        result = llmenv("doctor", "--json", "--offline", cwd=tmp_path, env={"PYENV_ROOT": str(evil)})
        assert result.code in (0, 1), result.text
        assert f"{python} is not run" in result.out  # reported among the interpreters that could not be used
    assert not marker.exists(), "an interpreter another user planted ran"


# ---- bundles ------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("case", ["in-their-own-folder", "theirs-in-a-shared-folder"])
def test_a_bundle_another_user_owns_is_refused_like_a_profile(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path, case: str
) -> None:
    """A bundle decides what runs (its wheels, its lock): the ownership rule of a profile covers it, on the open
    descriptor. Failed before: exit 0, another user's bundle was planned (and installed without --dry-run)."""
    if case == "in-their-own-folder":
        theirs = shared / "theirs"
        as_nobody('mkdir -m 755 "$1"', str(theirs))
    else:
        theirs = shared
    bundle = theirs / "b.tar"
    write_as_nobody(bundle, make_bundle(tmp_path / "made.tar").read_bytes())
    result = open_it(cli, bundle, tmp_path)
    refused(result, "bundle", str(bundle), "copy the bundle into a folder you own")
    assert not (tmp_path / "env").exists()
    # The same rule as a profile next to it.
    write_as_nobody(theirs / "p.yaml", profile(tmp_path, "alpha==1.0").read_bytes())
    refused(cli("setup", str(theirs / "p.yaml"), "--env", str(tmp_path / "env"), "--dry-run"), "profile")
    # And the same bytes, copied into a folder of one's own, are accepted.
    mine = tmp_path / "mine.tar"
    shutil.copy(bundle, mine)
    assert open_it(cli, mine, tmp_path).code == 0
