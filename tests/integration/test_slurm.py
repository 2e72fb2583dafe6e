"""`llmenv export --format slurm` on a real Slurm: munged, slurmctld and three slurmd on this host
(tests/helpers/slurm.py), a tiny bundle (one pure-Python package) on the "shared filesystem" (this host's disk),
and the exported script submitted with `sbatch --wait`. Root only (the daemons), skipped with the reason elsewhere;
scripts/test installs Debian's packages as root. About 25 s in all: the bundle ~10 s, each job 2-6 s."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers import slurm

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
PROFILE = (
    "name: tiny\ndescription: one small pure-Python package\npython: '>=3.10'\nenv: .venv\n"
    "accelerator: cpu\npackages: [six==1.17.0]\nchecks:\n  imports: [six]\n"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[slurm.Cluster]:
    with slurm.running(3) as started:
        yield started


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The "shared filesystem": the profile and its bundle, made once (a real `llmenv bundle`)."""
    folder = tmp_path_factory.mktemp("shared")
    folder.chmod(0o755)
    (folder / "tiny.yaml").write_text(PROFILE)
    from llmenv.cli import main

    try:
        main(["bundle", str(folder / "tiny.yaml"), "-o", str(folder / "tiny.tar"), "-q"])
    except SystemExit as exc:
        assert not exc.code, exc.code
    return folder


def submit(cluster: slurm.Cluster, script: Path, tmp_path: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    """(the job's exit status, its output). Node-local envs go under tmp_path (the job's TMPDIR)."""
    node_tmp = tmp_path / "node-tmp"
    node_tmp.mkdir()
    out = tmp_path / "job.out"
    job_env = {"TMPDIR": str(node_tmp), "PIP_CONFIG_FILE": os.devnull, **(env or {})}
    proc = cluster.sbatch_wait(script, f"--output={out}", f"--chdir={tmp_path}", env=job_env)
    text = out.read_text() if out.exists() else ""
    assert proc.returncode == 0 or text, proc.stderr + cluster.logs()
    return proc.returncode, text


def export(cli: Callable[..., CliResult], shared: Path, tmp_path: Path, *args: str) -> Path:
    script = tmp_path / "job.sbatch"
    result = cli("export", str(shared / "tiny.yaml"), "--format", "slurm", "--reports", str(tmp_path / "reports"),
                 "-o", str(script), *args)  # fmt: skip
    assert result.code == 0, result.err
    return script


def reports(tmp_path: Path) -> Path:
    (job,) = (tmp_path / "reports").iterdir()
    return job


def test_a_three_node_job_from_a_bundle_sets_up_and_checks_every_node(
    cluster: slurm.Cluster, shared: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    script = export(cli, shared, tmp_path, "--nodes", "3", "--bundle", str(shared / "tiny.tar"))
    code, output = submit(cluster, script, tmp_path)
    assert code == 0, output + cluster.logs()
    assert "3 nodes, " in output and "all nodes agree" in output and "every node set up and checked alike" in output
    job = reports(tmp_path)
    merged = json.loads((job / "merge.json").read_text())
    assert merged["nodes"] == ["n1", "n2", "n3"] and merged["same"] is True and merged["failed"] == []
    assert {n: s["setup"] for n, s in merged["per_node"].items()} == dict.fromkeys(("n1", "n2", "n3"), "created")
    for node in cluster.nodes:
        doctor = json.loads((job / "doctor" / f"{node}.json").read_text())
        assert doctor["profile"] == "tiny" and doctor["verdict"] != "fail"
        imports = {f["id"]: f["status"] for f in doctor["findings"]}
        assert imports["env.import.six"] == "ok"
        setup = json.loads((job / "setup" / f"{node}.json").read_text())
        assert "/bundles/" in setup["plan"]["lock_file"]  # installed from the bundle's hashed lock
        env = Path(setup["env"])
        assert env.parent == tmp_path / "node-tmp" and env.name.endswith(f"-{node}")  # node-local
        assert (env / "lib").is_dir()


def test_a_bundle_that_does_not_exist_fails_the_job_and_says_why(
    cluster: slurm.Cluster, shared: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The path is hostile too: quoted, it is only ever a name."""
    missing = tmp_path / "no such $(touch PWNED) 'bundle'.tar"
    script = export(cli, shared, tmp_path, "--nodes", "2", "--bundle", str(missing))
    code, output = submit(cluster, script, tmp_path)
    assert code == 2, output
    assert f"the bundle {missing} does not exist or is not readable on n1" in output
    assert "srun" not in output and not (tmp_path / "PWNED").exists()


def test_a_node_that_differs_and_one_that_fails_are_named_by_the_merge(
    cluster: slurm.Cluster, shared: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """n2 alone sees an NVIDIA driver (the probe's stand-in variable, set for that node by a wrapper that keys on
    SLURMD_NODENAME); on n3 llmenv cannot start at all. The job fails, naming n2 and what differs, and n3 and why.
    The env is shared this time: built once by the batch step, checked on every node."""
    wrapper = tmp_path / "python"
    wrapper.write_text(
        '#!/bin/sh\n[ "$SLURMD_NODENAME" = n2 ] && export LLMENV_CUDA_DRIVER=550.54.14\n'
        '[ "$SLURMD_NODENAME" = n3 ] && [ "$1" = -m ] && exit 127\n'
        f'exec {sys.executable} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = tmp_path / "shared-env"
    script = export(cli, shared, tmp_path, "--nodes", "3", "--bundle", str(shared / "tiny.tar"), "--env", str(env))
    code, output = submit(cluster, script, tmp_path, {"LLMENV_PYTHON": str(wrapper)})
    assert code == 1, output
    assert "nodes that differ from the others: n2" in output, output
    assert "node n3 fails: no doctor report" in output
    job = reports(tmp_path)
    merged = json.loads((job / "merge.json").read_text())
    assert merged["differ"] == ["n2"] and merged["failed"] == ["n3"]
    assert merged["per_node"]["n2"]["driver"] == "550.54.14" and merged["per_node"]["n3"]["doctor"] == "no report"
    assert {d["key"] for d in merged["differences"]} >= {"nvidia.driver"}
    # Shared: one setup (by the batch step), no per-node setups, every node checked the same env.
    assert json.loads((job / "setup-shared.json").read_text())["status"] == "created"
    assert not any((job / "setup").iterdir())
    assert {json.loads((job / "doctor" / f"{n}.json").read_text())["env"] for n in ("n1", "n2")} == {str(env)}
