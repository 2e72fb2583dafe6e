"""Logs hold argv, paths, index URLs and installer output: 0600 files in a 0700 folder (issue 12), whatever the
umask, for setup and lock logs as for crash logs (one helper, llmenv.paths)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer
from tests.integration.test_setup import index, profile, wheels

__all__ = ["index", "wheels"]  # fixtures used by name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("existing", [False, True])
def test_setup_and_lock_logs_are_private(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path, existing: bool
) -> None:
    """Failed before: the files were 0644 in a 0755 folder (umask 022), readable by every local user."""
    logs = Path(os.environ["LLMENV_LOG_DIR"])
    if existing:  # a log folder made by an older llmenv, world-readable
        logs.mkdir(parents=True, mode=0o755)
        logs.chmod(0o755)
    old = os.umask(0o022)
    try:
        spec = profile(tmp_path, "alpha==1.0")
        assert cli("setup", str(spec), "--env", str(tmp_path / "env"), "--skip-smoke").code == 0
        locked = cli("lock", str(spec), "--output-dir", str(tmp_path / "locks"))
        assert locked.code == 0, locked.err
    finally:
        os.umask(old)
    written = sorted(logs.glob("*.log"))
    assert {p.name.split("-")[0] for p in written} >= {"setup", "lock"}, written
    assert mode(logs) == 0o700
    for log in written:
        assert mode(log) == 0o600, (log, oct(mode(log)))
        assert log.stat().st_size > 0, log  # the file created private is the one the run wrote into


def test_a_log_folder_others_can_write_is_still_refused(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    logs = Path(os.environ["LLMENV_LOG_DIR"])
    logs.mkdir(parents=True)
    logs.chmod(0o777)
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(tmp_path / "env"), "--skip-smoke")
    assert result.code != 0 and "refusing to use the log folder" in result.err, result.err
    assert mode(logs) == 0o777  # refused, not silently changed
