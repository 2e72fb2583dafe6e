"""A real Slurm cluster on this one host, for tests: munged, slurmctld and three slurmd (`-N n1..n3`, each on its
own port; Debian's build has MULTIPLE_SLURMD), started as root in the foreground so that every PID is one the
fixture started, and stopped by those PIDs after the cluster's jobs are cancelled. The facts that make it work are
in ../shared/reference/slurm.md: munged's socket folder 0755 and short (Unix socket paths hold ~108 bytes), the key
0600, `SLURM_CONF` for every Slurm command, no cgroups (`proctrack/linuxproc`, `task/none`), no scheduling delay,
`MinJobAge=5` so `sbatch --wait` polls every 2 s."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "sinfo", "squeue", "scancel")
PACKAGES = "slurmctld slurmd slurm-client munge"
START_S = 20.0  # start-up takes 0.2-0.4 s here; a loaded 2-core machine gets ample room, never forever
STOP_S = 10.0


def missing() -> str | None:
    """Why a real cluster cannot start here, or None."""
    if os.geteuid() != 0:
        return "the Slurm daemons run as root here (slurmd starts jobs as their user); run the tests as root"
    absent = [p for p in PROGRAMS if shutil.which(p) is None and not Path("/usr/sbin", p).exists()]
    if absent:
        return f"no {', '.join(absent)} (apt-get install {PACKAGES}; scripts/test does it as root)"
    return None


def _program(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _free_ports(count: int) -> int:
    """The first of `count` consecutive TCP ports free on 127.0.0.1 (slurmd's `Port=first-last` range)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count > 65000:
            continue
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    held = stack.enter_context(socket.socket())
                    held.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError("no run of free ports on 127.0.0.1")


@dataclass
class Cluster:
    folder: Path  # short, 0755: munge's socket, slurm.conf, state, spool, logs
    nodes: tuple[str, ...]
    env: dict[str, str]  # the environment for Slurm commands (SLURM_CONF set)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def conf(self) -> Path:
        return self.folder / "slurm.conf"

    def run(
        self, *argv: str, timeout: float = 60, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """A Slurm command against this cluster, in the caller's environment as it is now (a job gets it: sbatch
        passes the submitting environment on), plus `env`; without the SLURM_* variables of a job the tests may
        themselves run in, which would point the commands at that job and its cluster."""
        outer = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_"))}
        return subprocess.run(
            [_program(argv[0]), *argv[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**outer, "SLURM_CONF": self.env["SLURM_CONF"], **(env or {})},
        )

    def sbatch_wait(
        self, script: Path, *options: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Submit and wait for the job to end; the exit status is the job's."""
        return self.run("sbatch", "--wait", *options, str(script), timeout=timeout, env=env)

    def logs(self) -> str:
        """The daemons' logs, for a failing test's message."""
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}" for log in sorted(self.folder.glob("*.log"))
        )


def _config(folder: Path, nodes: Sequence[str], ctld_port: int, node_port: int) -> str:
    count = len(nodes)
    return f"""ClusterName=llmenvtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={folder}/munge.socket.2
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool/%n
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd-%n.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,bf_interval=1
MinJobAge=5
SlurmdParameters=config_overrides
ReturnToService=2
MailProg=/bin/true
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=n[1-{count}] NodeHostname=localhost NodeAddr=127.0.0.1 Port={node_port}-{node_port + count - 1} CPUs=1 State=UNKNOWN
PartitionName=debug Nodes=n[1-{count}] Default=YES MaxTime=INFINITE State=UP
"""


def _wait(what: str, done: object, cluster: Cluster, seconds: float = START_S) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():  # type: ignore[operator]
            return
        for process in cluster.processes:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{process.args[0]} exited with {process.returncode} before {what}\n{cluster.logs()}"
                )
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}\n{cluster.logs()}")


def start(count: int = 3) -> Cluster:
    """munged, then slurmctld, then one slurmd per node, until `sinfo` shows every node idle."""
    folder = Path(tempfile.mkdtemp(prefix="sl", dir="/tmp"))  # short: the munge socket's path must fit
    folder.chmod(0o755)  # munged refuses a socket folder others cannot traverse
    nodes = tuple(f"n{i}" for i in range(1, count + 1))
    for sub in ("state", "spool"):
        (folder / sub).mkdir()
    key = folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    ctld_port = _free_ports(1)
    node_port = _free_ports(count)
    folder.joinpath("slurm.conf").write_text(_config(folder, nodes, ctld_port, node_port))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_"))}
    env["SLURM_CONF"] = str(folder / "slurm.conf")
    cluster = Cluster(folder, nodes, env)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env, "start_new_session": True}
    try:
        cluster.processes.append(
            subprocess.Popen(
                [_program("munged"), "-F", "-f", f"--socket={folder}/munge.socket.2", f"--key-file={key}",
                 f"--pid-file={folder}/munged.pid", f"--log-file={folder}/munged.log",
                 f"--seed-file={folder}/munged.seed"],
                **quiet,  # type: ignore[call-overload]
            )
        )  # fmt: skip
        _wait("munged's socket", (folder / "munge.socket.2").exists, cluster)
        cluster.processes.append(subprocess.Popen([_program("slurmctld"), "-D", "-i"], **quiet))  # type: ignore[call-overload]
        _wait("slurmctld", lambda: cluster.run("sinfo", "-h", timeout=10).returncode == 0, cluster)
        for node in nodes:
            cluster.processes.append(subprocess.Popen([_program("slurmd"), "-D", "-N", node], **quiet))  # type: ignore[call-overload]

        def idle() -> bool:
            states = cluster.run("sinfo", "-h", "-N", "-o", "%N %t", timeout=10).stdout.split()
            return states[1::2] == ["idle"] * count

        _wait("every node idle", idle, cluster)
    except BaseException:
        stop(cluster)
        raise
    return cluster


def _children(pid: int) -> list[int]:
    """slurmctld's own helpers (slurmscriptd): processes whose parent is `pid`."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(stat.parent.name))
    return out


def stop(cluster: Cluster) -> None:
    """Cancel the cluster's jobs (slurmd leaves running steps behind), then stop the daemons that `start` started,
    last started first, by their PIDs; a daemon that ignores SIGTERM is killed after a bound."""
    if any(p.poll() is None for p in cluster.processes[1:2]):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            cluster.run("scancel", "--full", "--quiet", "--partition=debug", timeout=10)
            deadline = time.monotonic() + STOP_S
            while time.monotonic() < deadline and cluster.run("squeue", "-h", timeout=10).stdout.strip():
                time.sleep(0.1)
    for process in reversed(cluster.processes):
        helpers = _children(process.pid) if process.poll() is None else []
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_S)
        for pid in helpers:  # still there after its parent stopped, and still a Slurm helper (not a reused PID)
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/comm").read_text().startswith("slurm"):
                    os.kill(pid, signal.SIGKILL)
    shutil.rmtree(cluster.folder, ignore_errors=True)


@contextlib.contextmanager
def running(count: int = 3) -> Iterator[Cluster]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    cluster = start(count)
    try:
        yield cluster
    finally:
        stop(cluster)
