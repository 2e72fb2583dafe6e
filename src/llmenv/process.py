"""The one wrapper every child process goes through.

It lives at the package root, beside `errors.py`, because probing (read-only), verifying and executing all run
tools; keeping one wrapper means one place that scrubs the environment, bounds the time, and never uses a shell.
Argument lists only: nothing built from profile data ever reaches a shell.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from llmenv.redact import redact_text

# Variables that make a child Python or pip act on something other than what we asked for (pipx #233/#334 hit
# the same: PYTHONPATH leaks the parent's packages, __PYVENV_LAUNCHER__ redirects macOS framework builds).
_DROP = ("PYTHONPATH", "PYTHONHOME", "__PYVENV_LAUNCHER__", "PIP_TARGET", "PIP_PREFIX", "PIP_REQUIRE_VIRTUALENV")


@dataclass(frozen=True)
class ProcResult:
    argv: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False
    error: str | None = None  # the process could not start (not found, not executable)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and self.error is None

    def describe_failure(self) -> str:
        """One line for a finding or log: why this run did not give an answer."""
        if self.error:
            return self.error
        if self.timed_out:
            return f"`{self.argv[0]}` did not answer within {self.seconds:.1f} s and was stopped"
        tail = (self.stderr or self.stdout).strip().splitlines()[-1:] or [""]
        return f"`{os.path.basename(self.argv[0])}` exited with {self.returncode}: {tail[0][:200]}".rstrip(": ")


def clean_env(base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name in _DROP:
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env["PIP_USER"] = "0"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    if extra:
        env.update(extra)
    return env


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> ProcResult:
    """Run to completion or until `timeout`; never raises for a failing, missing or hanging program."""
    args = tuple(str(a) for a in argv)
    start = time.perf_counter()
    try:
        proc = _spawn(args, env, merge_stderr=False, cwd=cwd)
    except OSError as exc:
        return ProcResult(args, None, "", "", time.perf_counter() - start, error=f"cannot run `{args[0]}`: {exc}")
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        return ProcResult(args, proc.returncode, out, err, time.perf_counter() - start, timed_out=True)
    except BaseException:
        # Ctrl-C: the child runs in its own session and did not see it; stop it before unwinding.
        _kill(proc)
        proc.wait()
        raise
    return ProcResult(args, proc.returncode, out, err, time.perf_counter() - start)


def run_logged(
    argv: Sequence[str],
    *,
    log: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    on_line: Callable[[str], None] | None = None,
    keep: int = 60,
) -> ProcResult:
    """Run a long tool (an installer), streaming its merged output, redacted, into `log`.

    Returns the last `keep` lines as stdout. Ctrl-C (KeyboardInterrupt) or the timeout stops the whole process group
    before returning or re-raising, so no installer keeps writing into a folder that is being rolled back."""
    args = tuple(str(a) for a in argv)
    start = time.perf_counter()
    tail: deque[str] = deque(maxlen=keep)
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {redact_text(shlex.join(args))}\n")
        sink.flush()
        try:
            proc = _spawn(args, env, merge_stderr=True, die_with_parent=True)
        except OSError as exc:
            sink.write(f"cannot run: {exc}\n")
            return ProcResult(args, None, "", "", time.perf_counter() - start, error=f"cannot run `{args[0]}`: {exc}")
        expired: list[bool] = []

        def expire() -> None:
            expired.append(True)
            _kill(proc)

        # A watchdog, not a read timeout: an installer can hang without printing anything.
        watchdog = threading.Timer(timeout, expire)
        watchdog.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                clean = redact_text(line.rstrip("\n"))
                sink.write(clean + "\n")
                tail.append(clean)
                if on_line:
                    on_line(clean)
            proc.wait()
        except BaseException:
            _kill(proc)
            proc.wait()
            sink.write("interrupted: the process group was stopped\n")
            raise
        finally:
            watchdog.cancel()
        timed_out = bool(expired)
        sink.write(f"exit status {proc.returncode} after {time.perf_counter() - start:.1f} s\n")
    return ProcResult(args, proc.returncode, "\n".join(tail), "", time.perf_counter() - start, timed_out=timed_out)


def spawn_detached(argv: Sequence[str], *, low_priority: bool = False) -> None:
    """Start work nobody waits for (deleting an old generation, warming bytecode): own session, no pipes, so it
    outlives llmenv and neither a Ctrl-C in the terminal nor a closed pipe stops it half-way."""
    with contextlib.suppress(OSError):  # best effort: the command's own result does not depend on it
        subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=clean_env(),
            start_new_session=os.name == "posix",
            preexec_fn=_lowest_priority if low_priority and os.name == "posix" else None,
        )


def _lowest_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(19)


def _spawn(
    args: tuple[str, ...],
    env: Mapping[str, str] | None,
    *,
    merge_stderr: bool,
    cwd: str | os.PathLike[str] | None = None,
    die_with_parent: bool = False,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        env=clean_env(env),
        cwd=cwd,
        text=True,
        encoding="utf-8",
        errors="replace",
        # Own process group, so a timeout or Ctrl-C also stops whatever the program started (a hung driver query
        # often sits in a grandchild holding our pipes open).
        start_new_session=os.name == "posix",
        preexec_fn=_die_with_parent if die_with_parent and sys.platform.startswith("linux") else None,
    )


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when llmenv dies, even by SIGKILL, so no orphaned installer keeps writing
    into a generation the next run will clean up. (Elsewhere the next run's clean-up copes with a slow orphan.)"""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _kill(proc: subprocess.Popen[str]) -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            pass
    proc.kill()


__all__ = ["ProcResult", "clean_env", "run", "run_logged", "spawn_detached"]
