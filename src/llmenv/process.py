"""The one wrapper every child process goes through.

It lives at the package root, beside `errors.py`, because probing (read-only), verifying and executing all run
tools; keeping one wrapper means one place that scrubs the environment, bounds the time, and never uses a shell.
Argument lists only: nothing built from profile data ever reaches a shell.
"""

from __future__ import annotations

import contextlib
import errno
import math
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

from llmenv.sink import LogWriter, child_argv, redact
from llmenv.trust import program_refusal

STALL_ENV = "LLMENV_STALL_TIMEOUT"
DEFAULT_STALL_S = 300.0
NOTICE_EVERY_S = 15.0


class Notice(str):
    """A line llmenv adds to a tool's output stream (what it waits for), so renderers can show it even where they
    hide the tool's own lines."""

    __slots__ = ()


def stall_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Seconds an installer may go without printing or transferring anything: `LLMENV_STALL_TIMEOUT`, default 300.

    pip alone waits `timeout x retries` per request (180 s x 5 with a long PIP_DEFAULT_TIMEOUT) in silence; this
    bound is llmenv's own."""
    raw = (os.environ if environ is None else environ).get(STALL_ENV, "").strip()
    if not raw:
        return DEFAULT_STALL_S
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        from llmenv.errors import UsageError

        raise UsageError(
            f"{STALL_ENV}={raw!r} is not a positive number of seconds",
            where=STALL_ENV,
            fix=f"set it to the seconds an install may stay silent, e.g. export {STALL_ENV}=600, or unset it "
            f"(default {DEFAULT_STALL_S:.0f})",
        )
    return value


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
    stalled: float | None = None  # stopped after this many seconds without output or I/O

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and self.error is None

    def describe_failure(self) -> str:
        """One line for a finding or log: why this run did not give an answer."""
        if self.error:
            return self.error
        if self.stalled is not None:
            return (
                f"`{os.path.basename(self.argv[0])}` printed nothing and transferred nothing for "
                f"{self.stalled:.0f} s and was stopped"
            )
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
    stall: float | None = None,
    waiting_for: str = "",
) -> ProcResult:
    """Run a long tool (an installer), streaming its merged output, redacted, into `log`.

    Returns the last `keep` lines as stdout. Ctrl-C (KeyboardInterrupt), the timeout, or `stall` seconds with
    neither a line of output nor any read/write by the process (a request to an index that never answers) stop the
    whole process group before returning or re-raising, so no installer keeps writing into a folder that is being
    rolled back. While it is silent, a `Notice` saying what it waits for (`waiting_for`) goes to `on_line` and the
    log every NOTICE_EVERY_S seconds."""
    args = tuple(str(a) for a in argv)
    start = time.perf_counter()
    tail: deque[str] = deque(maxlen=keep)
    with log.open("a", encoding="utf-8") as handle:
        sink = LogWriter(handle)  # every line redacted on its way to the log
        sink.write(f"$ {shlex.join(args)}\n")
        sink.flush()
        try:
            proc = _spawn(args, env, merge_stderr=True, die_with_parent=True)
        except OSError as exc:
            sink.write(f"cannot run: {exc}\n")
            return ProcResult(args, None, "", "", time.perf_counter() - start, error=f"cannot run `{args[0]}`: {exc}")
        writing = threading.Lock()
        last_output = [time.monotonic()]

        def emit(line: str) -> None:
            with writing:
                sink.write(line + "\n")
            if on_line:
                on_line(line)

        # A watchdog, not a read timeout: an installer can hang without printing anything.
        watchdog = _Watchdog(proc, timeout, stall, last_output, emit, waiting_for)
        watchdog.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                last_output[0] = time.monotonic()
                clean = redact(line.rstrip("\n"))
                tail.append(clean)
                emit(clean)
            proc.wait()
        except BaseException:
            _kill(proc)
            proc.wait()
            sink.write("interrupted: the process group was stopped\n")
            raise
        finally:
            watchdog.stop()
        sink.write(f"exit status {proc.returncode} after {time.perf_counter() - start:.1f} s\n")
    return ProcResult(
        args,
        proc.returncode,
        "\n".join(tail),
        "",
        time.perf_counter() - start,
        timed_out=watchdog.expired or watchdog.stalled is not None,
        stalled=watchdog.stalled,
    )


class _Watchdog(threading.Thread):
    """Stops the process group at the deadline or after `stall` silent seconds; says what it waits for meanwhile.

    Silence means no output line and no change in the bytes the process and its children read or wrote (Linux
    /proc/<pid>/io, which counts socket traffic): a large download that prints nothing is still progress. Where
    those counters cannot be read, silence cannot be told from a quiet download, and only the deadline applies."""

    def __init__(
        self,
        proc: subprocess.Popen[str],
        timeout: float,
        stall: float | None,
        last_output: list[float],
        emit: Callable[[str], None],
        waiting_for: str,
    ) -> None:
        super().__init__(daemon=True)
        self.proc, self.timeout, self.stall = proc, timeout, stall
        self.last_output, self.emit, self.waiting_for = last_output, emit, waiting_for
        self.expired = False
        self.stalled: float | None = None
        self._done = threading.Event()

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)

    def run(self) -> None:
        started = time.monotonic()
        every = min(NOTICE_EVERY_S, self.stall / 2) if self.stall else NOTICE_EVERY_S
        last_io, last_active, next_notice = _io_bytes(self.proc.pid), started, every
        while not self._done.wait(0.5):
            now = time.monotonic()
            io = _io_bytes(self.proc.pid)
            if io != last_io:
                last_io, last_active = io, now
            last_active = max(last_active, self.last_output[0])
            idle = now - last_active
            if idle < every:
                next_notice = every
            if now - started > self.timeout:
                self.expired = True
                _kill(self.proc)
                return
            # Without I/O counters (no /proc: macOS, Windows) a long silent download would look like a stall, so
            # there the bound is not enforced; the notices still say what it waits for.
            if self.stall is not None and idle > self.stall and io is not None:
                self.stalled = idle
                self.emit(Notice(f"no output and no transfer for {idle:.0f} s: stopping it ({STALL_ENV})"))
                _kill(self.proc)
                return
            if idle >= next_notice:
                what = f"; waiting for {self.waiting_for}" if self.waiting_for else ""
                self.emit(Notice(f"no output for {idle:.0f} s{what}"))
                next_notice += every


def _io_bytes(pid: int) -> int | None:
    """Bytes read and written so far by `pid` and its descendants; None where /proc is not available."""
    total = 0
    pending, seen = [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/io").read_text().splitlines():
                if line.startswith(("rchar:", "wchar:")):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            if current == pid:
                return None
    return total


def spawn_detached(argv: Sequence[str], *, low_priority: bool = False) -> None:
    """Start work nobody waits for (deleting an old generation, warming bytecode): own session, no pipes, so it
    outlives llmenv and neither a Ctrl-C in the terminal nor a closed pipe stops it half-way."""
    environ = clean_env()
    if program_refusal(str(argv[0]), environ.get("PATH")):
        return  # never another user's program; the work it would do (a cleanup, a warm-up) is optional
    with contextlib.suppress(OSError):  # best effort: the command's own result does not depend on it
        subprocess.Popen(
            child_argv(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=environ,
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
    environ = clean_env(env)
    refusal = program_refusal(args[0], environ.get("PATH")) if args else None
    if refusal:  # another user's program (or the working folder's) would run with our rights
        raise PermissionError(errno.EPERM, refusal)
    return subprocess.Popen(
        child_argv(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        env=environ,
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


__all__ = [
    "DEFAULT_STALL_S",
    "STALL_ENV",
    "Notice",
    "ProcResult",
    "clean_env",
    "run",
    "run_logged",
    "spawn_detached",
    "stall_timeout",
]
