"""1-node against N-node `llmenv export --format slurm` jobs on a real Slurm started on this host (root only; the
cluster of tests/helpers/slurm.py), from a tiny bundle (one pure-Python package), node-local envs.

Per job: `sbatch --wait` wall time (sbatch polls every 2 s, so this is coarse), the job body (from the reports
folder's creation by the batch step to merge.json written after every node reported: ns-resolution file times),
and each node's step (from its setup's start, stamped by a one-line `LLMENV_PYTHON` wrapper, to its doctor report's
last write). Jobs of each size alternate so load drifts hit both.

    python bench/slurm_nodes.py [--runs 3] [--nodes 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers import slurm
from tests.integration.test_slurm import PROFILE


def llmenv(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "llmenv", *args], check=True, env=env, stdout=subprocess.DEVNULL)


def job(cluster: slurm.Cluster, script: Path, folder: Path, env: dict[str, str]) -> dict[str, float]:
    reports = folder / "reports"
    before = set(reports.iterdir()) if reports.exists() else set()
    start = time.perf_counter()
    proc = cluster.sbatch_wait(script, f"--output={folder}/job-%j.out", f"--chdir={folder}", env=env)
    wall = time.perf_counter() - start
    (done,) = set(reports.iterdir()) - before
    if proc.returncode != 0:
        raise SystemExit(f"job failed: {proc.stderr}\n{(folder / f'job-{done.name}.out').read_text()}")
    body = (done / "merge.json").stat().st_mtime - (done / "setup").stat().st_ctime
    starts: dict[str, float] = {}
    for line in (folder / "starts.log").read_text().splitlines():
        fields = line.split()  # node, time, the llmenv command (none for the batch step's `python -c`)
        if fields[2:] == ["setup"]:
            starts[fields[0]] = float(fields[1])
    (folder / "starts.log").unlink()
    nodes = [(done / "doctor" / f"{node}.json").stat().st_mtime - start for node, start in starts.items()]
    return {"wall": wall, "body": body, "node_max": max(nodes), "node_sum": sum(nodes)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="slurm-bench-"))
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "TMPDIR": str(folder / "node-tmp")}
    (folder / "node-tmp").mkdir()
    (folder / "tiny.yaml").write_text(PROFILE)
    wrapper = folder / "python"
    wrapper.write_text(
        f'#!/bin/sh\necho "$SLURMD_NODENAME $(date +%s.%N) $3" >> {folder}/starts.log\nexec {sys.executable} "$@"\n'
    )
    wrapper.chmod(0o755)
    env["LLMENV_PYTHON"] = str(wrapper)
    llmenv("bundle", str(folder / "tiny.yaml"), "-o", str(folder / "tiny.tar"), "-q", env=env)
    scripts = {}
    for count in (1, args.nodes):
        scripts[count] = folder / f"job-{count}.sbatch"
        llmenv("export", str(folder / "tiny.yaml"), "--format", "slurm", "--nodes", str(count), "--bundle",
               str(folder / "tiny.tar"), "--reports", str(folder / "reports"), "-o", str(scripts[count]), env=env)  # fmt: skip
    cluster = slurm.start(args.nodes)
    results: dict[int, list[dict[str, float]]] = {1: [], args.nodes: []}
    try:
        for _ in range(args.runs):
            for count in results:
                results[count].append(job(cluster, scripts[count], folder, env))
    finally:
        slurm.stop(cluster)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores, {args.runs} runs each, medians:")
    print("| nodes | sbatch --wait | job body | slowest node's step | all nodes' steps, summed |")
    print("| --- | --- | --- | --- | --- |")
    for count, runs in results.items():
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(
            f"| {count} | {med['wall']:.1f} s | {med['body']:.2f} s | {med['node_max']:.2f} s | {med['node_sum']:.2f} s |"
        )


if __name__ == "__main__":
    main()
