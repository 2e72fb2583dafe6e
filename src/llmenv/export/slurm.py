"""A Slurm batch script that sets up the profile's environment on every allocated node in parallel (one `srun` task
per node), checks it there with `llmenv doctor`, and merges the nodes' reports with `llmenv report merge`; the job
fails, naming the nodes that differ or fail, when any node is not like the others.

Every value chosen at export (paths, profile, mirror) is data: written once, quoted by export/emit.py, into a
variable, and only ever expanded inside double quotes. The code that runs on each node is a fixed function,
exported to the job steps by bash (`export -f`), so no value is ever part of the code. `#SBATCH` lines are read by
sbatch, not by a shell, and it has its own idea of quoting, so their values are checked against what Slurm itself
accepts instead; sbatch reads no `#SBATCH` line after the first command (`set -uo pipefail`), so a line break
inside a quoted value below cannot add one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmenv import __version__
from llmenv.export.emit import comment, shell_word

# What Slurm accepts in these options (names of partitions and accounts; `--time` formats), nothing a line parser
# could read as a second option or a second line.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}(,[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}){0,15}$")
_TIME = re.compile(
    r"^(\d{1,5}|\d{1,5}:\d{1,2}(:\d{1,2})?|\d{1,4}-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|infinite|unlimited)$", re.I
)
SBATCH_CHECKS = {"--partition": (_NAME, "a partition name, or several separated by commas"),
                 "--account": (_NAME, "an account name"),
                 "--time": (_TIME, "minutes, HH:MM:SS, D-HH:MM:SS or infinite")}  # fmt: skip


@dataclass(frozen=True)
class SlurmJob:
    """What the exported script runs with. Paths are absolute (resolved at export) so the job reads the same files
    whatever folder it is submitted from."""

    profile_name: str  # the profile's `name`, for the job's name
    profile_ref: str | None  # what `setup` gets: a built-in name or a profile file's path; None: the bundle's
    python: str  # the interpreter that runs llmenv on the nodes (`python -m llmenv`)
    accelerator: str
    nodes: int
    bundle: str | None
    env: str | None  # None: node-local, under $TMPDIR; a path: shared, built once and checked on every node
    reports: str | None  # None: llmenv-reports in the folder the job was submitted from
    partition: str | None = None
    time: str | None = None
    account: str | None = None
    mirror: str | None = None
    smoke: bool = False


def sbatch_problem(option: str, value: str) -> str | None:
    """Why `value` cannot go on an `#SBATCH` line, or None."""
    pattern, expected = SBATCH_CHECKS[option]
    return None if pattern.match(value) else f"expected {expected}"


def job_name(profile: str) -> str:
    return "llmenv-" + (re.sub(r"[^A-Za-z0-9_.-]", "_", profile)[:40] or "env")


def _q(value: str | None) -> str:
    """One shell word for `value` (empty for None)."""
    return shell_word(value or "", "a path or name in the Slurm script")


# The code each node runs. Fixed text: everything it needs comes from the LLMENV_JOB_* variables above it.
_NODE_STEP = r"""# `llmenv setup` into ENV, its JSON to OUT and its messages to LOG (run on each node, or once for a shared env).
llmenv_setup() {
  local setup=(setup --env "$1" --accelerator "$LLMENV_JOB_ACCELERATOR" --json)
  [ -n "$LLMENV_JOB_BUNDLE" ] && setup+=(--bundle "$LLMENV_JOB_BUNDLE")
  [ -n "$LLMENV_JOB_MIRROR" ] && setup+=(--mirror "$LLMENV_JOB_MIRROR")
  [ "$LLMENV_JOB_SMOKE" = 1 ] || setup+=(--skip-smoke)
  [ -n "$LLMENV_JOB_PROFILE" ] && setup+=(-- "$LLMENV_JOB_PROFILE")
  "$LLMENV_JOB_PYTHON" -m llmenv "${setup[@]}" >"$2" 2>"$3"
}

# What each node runs (one task per node): set up a node-local env (unless the env is shared), then doctor.
llmenv_node() {
  local node=${SLURMD_NODENAME:?not a Slurm job step}
  local reports=$LLMENV_JOB_REPORTS env=$LLMENV_JOB_ENV status=0 start=$SECONDS
  if [ "$LLMENV_JOB_SHARED" = 0 ]; then
    # The env, and llmenv's cache where the bundle is unpacked, on this node's own disk; the cache is this job's
    # alone (two setups unpacking one bundle into one cache replace each other's files), and it stays: the env's
    # stamp names the bundle's profile file in it, which a later `doctor --env` reads.
    env=${TMPDIR:-/tmp}/llmenv-$SLURM_JOB_ID-$node
    export LLMENV_CACHE_DIR=${TMPDIR:-/tmp}/llmenv-cache-$SLURM_JOB_ID-$node
    llmenv_setup "$env" "$reports/setup/$node.json" "$reports/logs/$node.setup.log" || status=$?
  fi
  local doctor=(doctor --offline --json)
  if [ "$status" = 0 ]; then
    doctor+=(--env "$env")
  elif [ -n "$LLMENV_JOB_PROFILE" ]; then
    doctor+=(--profile "$LLMENV_JOB_PROFILE")  # no env to check: the host, for the profile
  fi
  "$LLMENV_JOB_PYTHON" -m llmenv "${doctor[@]}" >"$reports/doctor/$node.json" 2>"$reports/logs/$node.doctor.log" ||
    status=$?
  echo "llmenv: $node: done in $((SECONDS - start)) s (exit $status)"
  return "$status"
}
export -f llmenv_setup llmenv_node
"""

_BATCH_STEP = r"""llmenv=("$LLMENV_JOB_PYTHON" -m llmenv)
here=${SLURMD_NODENAME:-$(hostname)}
fail() { echo "llmenv: $*" >&2; exit 2; }
"$LLMENV_JOB_PYTHON" -c 'import llmenv' 2>/dev/null ||
  fail "$LLMENV_JOB_PYTHON cannot import llmenv on $here: install llmenv where every node sees it, or submit with LLMENV_PYTHON=/path/to/python"
if [ -n "$LLMENV_JOB_BUNDLE" ] && [ ! -r "$LLMENV_JOB_BUNDLE" ]; then
  fail "the bundle $LLMENV_JOB_BUNDLE does not exist or is not readable on $here: put it on a filesystem every node sees (llmenv bundle PROFILE -o FILE), or export the script again with --bundle naming it"
fi
mkdir -p -- "$LLMENV_JOB_REPORTS/setup" "$LLMENV_JOB_REPORTS/doctor" "$LLMENV_JOB_REPORTS/logs" ||
  fail "cannot create the reports folder $LLMENV_JOB_REPORTS"
echo "llmenv: job $SLURM_JOB_ID on $SLURM_JOB_NUM_NODES nodes ($SLURM_JOB_NODELIST); reports in $LLMENV_JOB_REPORTS"

if [ "$LLMENV_JOB_SHARED" = 1 ]; then
  # A shared env: built once, here, then checked on every node.
  llmenv_setup "$LLMENV_JOB_ENV" "$LLMENV_JOB_REPORTS/setup-shared.json" "$LLMENV_JOB_REPORTS/logs/setup-shared.log" ||
    fail "building the shared env $LLMENV_JOB_ENV failed on $here (exit $?): see $LLMENV_JOB_REPORTS/logs/setup-shared.log"
fi

# Every node at once: the job takes about as long as its slowest node.
srun --nodes="$SLURM_JOB_NUM_NODES" --ntasks="$SLURM_JOB_NUM_NODES" --ntasks-per-node=1 --kill-on-bad-exit=0 \
  bash -c llmenv_node
echo "llmenv: srun ended with exit $?"

# One row per allocated node, also for a node that wrote no report at all.
merge=(report merge)
while IFS= read -r node; do merge+=(--expect "$node"); done < <(scontrol show hostnames "$SLURM_JOB_NODELIST")
[ "$LLMENV_JOB_SHARED" = 0 ] && merge+=(--setup "$LLMENV_JOB_REPORTS/setup")
shopt -s nullglob
for report in "$LLMENV_JOB_REPORTS"/doctor/*.json; do
  [ -s "$report" ] && merge+=("$report")  # an empty one: llmenv did not start there; --expect names the node
done
"${llmenv[@]}" "${merge[@]}" --json >"$LLMENV_JOB_REPORTS/merge.json" 2>/dev/null
"${llmenv[@]}" "${merge[@]}"
"""


def render(job: SlurmJob, command: str) -> str:
    """The batch script. `command` is the export command line, for the header (already quoted by the caller)."""
    env_line = (
        f"LLMENV_JOB_ENV={_q(job.env)}\nLLMENV_JOB_SHARED=1  # a shared env: built once, checked on every node"
        if job.env
        else "LLMENV_JOB_ENV=''\nLLMENV_JOB_SHARED=0  # node-local envs, under each node's $TMPDIR"
    )
    reports = (
        f"{_q(job.reports)}/$SLURM_JOB_ID"
        if job.reports
        else '"${SLURM_SUBMIT_DIR:-$PWD}"/llmenv-reports/$SLURM_JOB_ID'
    )
    sbatch = [f"#SBATCH --job-name={job_name(job.profile_name)}", f"#SBATCH --nodes={job.nodes}",
              "#SBATCH --ntasks-per-node=1"]  # fmt: skip
    for option, value in (("--partition", job.partition), ("--time", job.time), ("--account", job.account)):
        if value:
            sbatch.append(f"#SBATCH {option}={value}")
    header = [
        "#!/bin/bash",
        comment(f"Generated by llmenv {__version__}: {command}"),
        f"# Sets up the {job_name(job.profile_name)[7:]} environment on {job.nodes} node(s) at once, checks each with",
        "# `llmenv doctor`, and merges the nodes' reports; the job fails, naming every node that differs or fails.",
        "# Submit with `sbatch FILE`; LLMENV_PYTHON=/path/to/python at submit time overrides llmenv's interpreter.",
        "# The values below may hold quotes and dollars; they are data (quoted), which is what these checks doubt:",
        "# shellcheck disable=SC2016,SC2089,SC2090",
        *sbatch,
        "set -uo pipefail",
        ': "${SLURM_JOB_ID:?submit this script with sbatch}"',
        "",
        "# Chosen at export; every value is quoted: data, never code.",
        f"LLMENV_JOB_PYTHON=${{LLMENV_PYTHON:-{_q(job.python)}}}",
        f"LLMENV_JOB_PROFILE={_q(job.profile_ref)}",
        f"LLMENV_JOB_BUNDLE={_q(job.bundle)}",
        env_line,
        f"LLMENV_JOB_ACCELERATOR={_q(job.accelerator)}",
        f"LLMENV_JOB_MIRROR={_q(job.mirror)}",
        f"LLMENV_JOB_SMOKE={1 if job.smoke else 0}",
        f"LLMENV_JOB_REPORTS={reports}",
        "export LLMENV_JOB_PYTHON LLMENV_JOB_PROFILE LLMENV_JOB_BUNDLE LLMENV_JOB_ENV LLMENV_JOB_SHARED \\",
        "  LLMENV_JOB_ACCELERATOR LLMENV_JOB_MIRROR LLMENV_JOB_SMOKE LLMENV_JOB_REPORTS",
        "",
    ]
    return "\n".join(header) + _NODE_STEP + "\n" + _BATCH_STEP


__all__ = ["SBATCH_CHECKS", "SlurmJob", "job_name", "render", "sbatch_problem"]
