"""The no-op re-run and setup's fixed cost, side by side with the raw tools, in wall time and CPU time.

CPU time (user + system of the command and the children it waited for) is reported beside wall time because it
barely moves when other work shares the machine, where wall time on a busy 2-core host can triple.

  no-op:  `llmenv setup PROFILE --env E --skip-smoke` on an up-to-date env (reads the stamp, recomputes the plan from
          cheap facts, lists site-packages' *.dist-info), against uv's own no-op (`uv pip install -r pins` into the
          env it built: "Audited N packages") and `python -c pass`
  fixed:  `llmenv setup small --force --skip-smoke` against `uv venv` + `uv pip install -r pins` + one import

    python bench/noop_bench.py --profile torch --runs 7
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from setup_bench import SMALL, case_for, warm_up_seconds

from llmenv.probe import probe_host
from llmenv.tools import uv_binary


def measured(argv: list[str], **kwargs: object) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_of(samples: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "wall": round(statistics.median(s[0] for s in samples), 3),
        "cpu": round(statistics.median(s[1] for s in samples), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="torch")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llmenv-noop-"))
    (work / "small.yaml").write_text(SMALL)
    facts = probe_host(offline=True)
    uv = uv_binary()
    out: dict[str, object] = {"runs": args.runs}
    for name in (args.profile, "small"):
        case = case_for(name, work, facts, uv)
        case.raw_uv(work / f"{name}-raw")
        case.llmenv(work / f"{name}-llmenv", "uv")
        warm_up_seconds(time.perf_counter())  # its background bytecode warm-up must not share the CPU with the timing
        llmenv_noop = [sys.executable, "-m", "llmenv", "setup", case.ref, "--env", str(work / f"{name}-llmenv")]
        llmenv_noop += ["--skip-smoke", "-q"]
        raw = [uv, "pip", "install", "-q", "--python", str(work / f"{name}-raw" / "bin/python"), *case.source]
        samples: dict[str, list[tuple[float, float]]] = {}
        for _ in range(args.runs):
            samples.setdefault("python -c pass", []).append(measured([sys.executable, "-c", "pass"]))
            samples.setdefault("uv no-op", []).append(measured([*raw, "-r", str(case.pins)], env=case.uv_env))
            samples.setdefault("llmenv no-op", []).append(measured(llmenv_noop, cwd=work))
        if name == "small":
            for _ in range(args.runs):
                start = time.perf_counter()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                case.raw_uv(work / "small-raw")
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                samples.setdefault("uv raw build", []).append((time.perf_counter() - start, cpu))
                argv = [*llmenv_noop, "--force"]
                samples.setdefault("llmenv build (--force)", []).append(measured(argv, cwd=work))
                warm_up_seconds(time.perf_counter())
                time.sleep(0.5)  # and the detached deletion of the oldest generation
        out[name] = {key: median_of(value) for key, value in samples.items()}
        print(json.dumps({name: out[name]}), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
