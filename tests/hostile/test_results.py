"""Wrong or unclear results: a hanging python3 on PATH, a half-built generation left by kill -9, nested envs,
installer failures whose fix text must fit the failure, --json on failing setups."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from llmenv.execute.installers.failures import classify_install_failure
from llmenv.execute.store import MARKER
from tests.helpers.index_server import IndexServer
from tests.hostile.conftest import Outcome, assert_clean, llmenv, snapshot, tiny_profile

pytestmark = [pytest.mark.timeout(300)]


def _setup(profile: Path, env: Path, *extra: str, environ: dict[str, str] | None = None) -> Outcome:
    return llmenv(
        "setup", str(profile), "--env", str(env), "--skip-smoke", "--backend", "uv", *extra, timeout=180, env=environ
    )


@pytest.mark.slow
def test_hanging_python3_on_path_with_good_python(tmp_path: Path, index: IndexServer) -> None:
    """A `python3` first on PATH that never answers (a broken shim, an NFS mount) must not fail a setup that was
    given a working `--python`; probing it is bounded and it is skipped."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python3", "python"):
        shim = bin_dir / name
        shim.write_text("#!/bin/sh\nsleep 600\n")
        shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    profile = tiny_profile(tmp_path, "alpha==1.0")
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))  # not the test venv's own python
    result = _setup(profile, tmp_path / "env", "--python", base, environ={"PATH": path})
    assert_clean(result, 0, seconds=90)


@pytest.mark.slow
def test_half_built_generation_reported_and_cleaned(tmp_path: Path, index: IndexServer) -> None:
    """kill -9 during venv creation (a real SIGKILL while uv builds the venv) leaves a generation with its marker
    and no stamp: doctor --env mentions it, the next setup removes it."""
    profile = tiny_profile(tmp_path, "alpha==1.0")
    env = tmp_path / "env"
    assert _setup(profile, env).code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "llmenv", "setup", str(profile), "--env", str(env), "--skip-smoke", "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    store = tmp_path / "env.llmenv"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        half = [g for g in store.glob("gen-*") if (g / MARKER).exists() and not (g / "llmenv-stamp.json").exists()]
        if half:
            break
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    assert half, "the second setup never started a generation"
    doctor = llmenv("doctor", "--offline", "--env", str(env), timeout=120)
    assert half[0].name in doctor.text, doctor.text
    assert "unfinished" in doctor.text
    assert "Traceback" not in doctor.text
    again = _setup(profile, env)
    assert_clean(again, 0, seconds=120)
    assert not half[0].exists()


@pytest.mark.slow
def test_env_nested_inside_another_env_is_refused(tmp_path: Path, index: IndexServer) -> None:
    """`--env outer/inner` would live inside outer's generation, deleted by outer's next update: refused."""
    profile = tiny_profile(tmp_path, "alpha==1.0")
    outer = tmp_path / "outer"
    assert _setup(profile, outer).code == 0
    before = snapshot(tmp_path / "outer.llmenv")
    result = _setup(profile, outer / "inner")
    assert_clean(result, 2, mentions=("inside", str(outer)))
    assert snapshot(tmp_path / "outer.llmenv") == before
    result = _setup(profile, tmp_path / "outer.llmenv" / "mine")
    assert_clean(result, 2, mentions=("inside",))


@pytest.mark.slow
def test_failing_setup_with_json_prints_the_error_as_json(tmp_path: Path, index: IndexServer) -> None:
    """An install that fails (a pin the index does not serve), with --json: stdout is one JSON document."""
    profile = tiny_profile(tmp_path, "alpha==9.9")
    result = _setup(profile, tmp_path / "env", "--json")
    assert result.code == 4, result.err
    document = json.loads(result.out)
    assert document["exit_code"] == 4 and document["status"] == "error"
    assert "alpha" in document["error"]["message"] + document["error"].get("detail", "")


INSTALLER_OUTPUTS = [
    # (case, recorded installer output, kind the fix must be for, words the fix must carry)
    (
        "uv-enospc",
        "error: Failed to install: alpha-1.0-py3-none-any.whl\n  Caused by: failed to write to file "
        "`/e/lib/python3.11/site-packages/alpha/__init__.py`: No space left on device (os error 28)",
        "disk-full",
        "space",
    ),
    (
        "pip-enospc",
        "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device",
        "disk-full",
        "space",
    ),
    (
        "pip-permission",
        "ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied: "
        "'/e/lib/python3.11/site-packages/alpha'",
        "permission",
        "permission",
    ),
    (
        "uv-read-only",
        "error: failed to create directory `/e/lib`: Read-only file system (os error 30)",
        "permission",
        "read-only",
    ),
    (
        "uv-not-found",
        "  × No solution found when resolving dependencies:\n  ╰─▶ Because there is no version of "
        "alpha==9.9 and you require alpha==9.9, we can conclude that your requirements are unsatisfiable.",
        "not-found",
        "pin",
    ),
    (
        "pip-not-found",
        "ERROR: Could not find a version that satisfies the requirement alpha==9.9 (from versions: "
        "1.0, 2.0)\nERROR: No matching distribution found for alpha==9.9",
        "not-found",
        "pin",
    ),
    (
        "uv-dns",
        "error: Request failed after 3 retries\n  Caused by: error sending request for url "
        "(https://pypi.org/simple/alpha/)\n  Caused by: dns error: failed to lookup address information",
        "network",
        "network",
    ),
    (
        "pip-connection",
        "WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError(...: "
        "Failed to establish a new connection: [Errno 111] Connection refused')': /simple/alpha/",
        "network",
        "index",
    ),
    (
        "pip-ssl",
        "Could not fetch URL https://pypi.org/simple/alpha/: There was a problem confirming the ssl "
        "certificate: HTTPSConnectionPool(...): [SSL: CERTIFICATE_VERIFY_FAILED]",
        "network",
        "cert",
    ),
]


@pytest.mark.parametrize(
    ("output", "kind", "word"), [c[1:] for c in INSTALLER_OUTPUTS], ids=[c[0] for c in INSTALLER_OUTPUTS]
)
def test_installer_failure_fix_fits_the_failure(output: str, kind: str, word: str) -> None:
    """Recorded real-format uv/pip error outputs (this host cannot make every failure on demand): the fix text
    names the real cause: full disk -> free space, permissions -> the folder, network -> index/proxy/cert."""
    failure = classify_install_failure(output, env="/e")
    assert failure.kind == kind
    assert word in failure.fix.lower()
    if kind != "not-found":
        assert "check the pins" not in failure.fix
