"""A squatted store: another local user prepares `<env>.llmenv/` (or swaps a generation, the lock, the log folder)
in a world-writable folder, and root's next `llmenv setup` must refuse it rather than run that user's bin/python.

The other user is real: files are made by `setpriv --reuid=nobody --regid=nogroup --clear-groups` (needs root;
skipped otherwise), in a sticky, world-writable folder like /tmp."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.errors import ExitCode
from llmenv.execute.store import MARKER, OWNER, STAMP
from tests.conftest import CliResult
from tests.integration.test_setup import index, profile, wheels  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.usefixtures("index"),
    pytest.mark.skipif(
        not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
        reason="needs root and setpriv to act as a second user",
    ),
]

AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def as_nobody(script: str, *args: str) -> None:
    """Run a fixed shell script as `nobody`; paths come in as positional arguments, never inside the script."""
    subprocess.run([*AS_NOBODY, "/bin/sh", "-c", script, "sh", *args], check=True, timeout=30)


def plant_generation(gen: Path, stamp: dict[str, object], pwned: Path) -> None:
    """As nobody: a generation whose bin/python records that it ran, with a stamp copied from a real build."""
    script = (
        'set -e; mkdir -p "$1/bin"; printf "%s" "$2" > "$1/llmenv-stamp.json"; echo "{}" > "$1/' + MARKER + '"; '
        'printf "#!/bin/sh\\ntouch %s\\n" "$3" > "$1/bin/python"; chmod 755 "$1/bin/python"'
    )
    as_nobody(script, str(gen), json.dumps(stamp), str(pwned))


def assert_refused(result: CliResult, path: Path, *phrases: str) -> None:
    assert result.code == ExitCode.UNSAFE_STORE, result.err
    assert "Traceback" not in result.err
    assert "refusing to use" in result.err and str(path) in result.err
    for phrase in phrases:
        assert phrase in result.err, result.err
    assert "Fix:" in result.err


def test_a_store_squatted_before_the_first_setup_is_refused_and_nothing_runs(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    """Failed before the fix: root's setup took the forged store as its own ("up to date") after running the
    planted bin/python (or, on this branch's drift code, without running it: the user's next `python` would)."""
    spec = profile(tmp_path, "alpha==1.0")
    real = tmp_path / "real"
    assert cli("setup", str(spec), "--env", str(real)).code == 0
    stamp = json.loads((real / STAMP).read_text())
    env, pwned = shared / "env", shared / "pwned"
    home = shared / "env.llmenv"
    as_nobody('mkdir "$1" && echo "{}" > "$1/' + OWNER + '"', str(home))
    plant_generation(home / "gen-1", stamp, pwned)
    as_nobody('ln -s env.llmenv/gen-1 "$1"', str(env))
    result = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    assert_refused(result, env, "belongs to user nobody", "not to user root")
    assert not pwned.exists()
    assert sorted(p.name for p in home.iterdir()) == ["gen-1", OWNER]  # nothing added to their store
    smoke = cli("smoke", "--env", str(env), "--offline")
    assert_refused(smoke, env, "belongs to user nobody")
    doctor = cli("doctor", "--profile", str(spec), "--env", str(env), "--offline")
    assert_refused(doctor, env, "belongs to user nobody")
    assert not pwned.exists()


def test_a_store_others_can_write_is_refused_with_a_chmod_fix(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    spec = profile(tmp_path, "alpha==1.0")
    env = shared / "env"
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    home = shared / "env.llmenv"
    home.chmod(0o777)
    result = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    assert_refused(result, home, "every user can write to it (mode drwxrwxrwx)", f"`chmod -R go-w {home}`")
    home.chmod(0o755)
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0  # the fix, applied, works


def test_a_generation_swapped_by_another_user_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    """The store was left writable by others (mode 0777) and `nobody` replaced gen-1 with their own."""
    spec = profile(tmp_path, "alpha==1.0")
    env, pwned = shared / "env", shared / "pwned"
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    home = shared / "env.llmenv"
    stamp = json.loads((env / STAMP).read_text())
    home.chmod(0o777)
    as_nobody('mv "$1" "$2"', str(home / "gen-1"), str(home / "old-1"))
    plant_generation(home / "gen-1", stamp, pwned)
    home.chmod(0o755)  # even with the store's mode put back, the generation is not root's
    result = cli("setup", str(spec), "--env", str(env), "--skip-smoke")
    assert_refused(result, home / "gen-1", "belongs to user nobody")
    assert not pwned.exists()
    assert cli("rollback", "--env", str(env)).code == ExitCode.UNSAFE_STORE


def test_a_lock_file_planted_by_another_user_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path
) -> None:
    spec = profile(tmp_path, "alpha==1.0")
    env = shared / "env"
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    home = shared / "env.llmenv"
    (home / "lock").unlink(missing_ok=True)
    home.chmod(0o777)
    as_nobody('touch "$1" && chmod 666 "$1"', str(home / "lock"))
    home.chmod(0o755)
    result = cli("setup", str(spec), "--env", str(env), "--skip-smoke", "--force")
    assert_refused(result, home / "lock", "belongs to user nobody")


def test_a_log_folder_of_another_user_is_refused(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logs = shared / "logs"
    as_nobody('mkdir "$1" && chmod 755 "$1"', str(logs))
    monkeypatch.setenv("LLMENV_LOG_DIR", str(logs))
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(tmp_path / "env"), "--skip-smoke")
    assert_refused(result, logs, "belongs to user nobody")
    assert not (tmp_path / "env").exists()


def test_a_group_writable_umask_still_builds_a_private_store(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """Under umask 002 llmenv's own files would be group-writable; it strips that, so its next run trusts them."""
    old = os.umask(0o002)
    try:
        spec = profile(tmp_path, "alpha==1.0")
        env = tmp_path / "env"
        assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
        home = tmp_path / "env.llmenv"
        for path in (home, home / OWNER, env.resolve(), env.resolve() / STAMP, env.resolve() / "bin"):
            assert not stat.S_IMODE(path.stat().st_mode) & 0o022, path
        assert cli("setup", str(spec), "--env", str(env), "--skip-smoke", "--force").code == 0
    finally:
        os.umask(old)


def test_smoke_refuses_a_log_folder_of_another_user(
    cli: Callable[..., CliResult], tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = profile(tmp_path, "alpha==1.0")
    env = tmp_path / "env"
    assert cli("setup", str(spec), "--env", str(env), "--skip-smoke").code == 0
    logs = shared / "logs"
    as_nobody('mkdir "$1" && chmod 755 "$1"', str(logs))
    monkeypatch.setenv("LLMENV_LOG_DIR", str(logs))
    result = cli("smoke", "--env", str(env), "--framework", "torch", "--offline")
    assert_refused(result, logs, "belongs to user nobody")
    assert list(logs.iterdir()) == []
