"""Time-to-verified-env: `llmenv setup --skip-smoke` against the same work done by hand with the raw tools.

For each profile, with the same pins and a warm cache:
  (a) uv:  `uv venv` + `uv pip install -r pins` (+ the pip config translated to uv options) + one `import` of the
           checked modules
  (b) pip: `virtualenv` + `pip install -r pins` + the same import
  (c) llmenv setup --force --skip-smoke (uv backend), and (d) with --backend pip
  (e) the no-op re-run of llmenv setup (it compares the plan, the installed distributions and the host facts with
      the stamp), against uv's own no-op (`uv pip install -r pins` into the env uv already built)
plus the first `import` a user pays afterwards (bytecode written or not). With --skip-smoke, llmenv writes the
bytecode of the checked modules in a detached process after it returns; the script records how long after, and
waits for it before timing the next import or starting another run. Medians of --runs runs.

    python bench/setup_bench.py --profiles small torch transformers --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from llmenv.execute.installers.uv import source_args
from llmenv.plan.make import Options, make_plan
from llmenv.probe import HostFacts, probe_host
from llmenv.profiles.load import load_profile
from llmenv.tools import uv_binary

SMALL = "name: small\npython: '>=3.10'\naccelerator: cpu\npackages: ['numpy==2.2.6', 'tqdm==4.67.1']\nchecks:\n  imports: [numpy, tqdm]\n"


def timed(argv: list[str], **kwargs: object) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start


@dataclass(frozen=True)
class Case:
    """One profile's pins and sources, and the four ways of building an env from them."""

    ref: str
    python: str
    pins: Path
    imports: str
    source: list[str]
    uv_env: dict[str, str]
    work: Path
    uv: str

    def raw_uv(self, target: Path) -> float:
        shutil.rmtree(target, ignore_errors=True)
        t = timed([self.uv, "venv", "-q", "--python", self.python, str(target)], env=self.uv_env)
        install = [self.uv, "pip", "install", "-q", "--python", str(target / "bin/python"), *self.source]
        t += timed([*install, "-r", str(self.pins)], env=self.uv_env)
        return t + timed([str(target / "bin/python"), "-c", self.imports])

    def raw_uv_noop(self, target: Path) -> float:
        """The raw tool's own no-op: `uv pip install -r pins` into the env it already built (uv: "Audited")."""
        install = [self.uv, "pip", "install", "-q", "--python", str(target / "bin/python"), *self.source]
        return timed([*install, "-r", str(self.pins)], env=self.uv_env)

    def raw_pip(self, target: Path) -> float:
        shutil.rmtree(target, ignore_errors=True)
        t = timed([sys.executable, "-m", "virtualenv", "-q", "--python", self.python, str(target)])
        t += timed([str(target / "bin/python"), "-m", "pip", "install", "-q", "-r", str(self.pins)])
        return t + timed([str(target / "bin/python"), "-c", self.imports])

    def llmenv(self, target: Path, backend: str, *extra: str) -> float:
        argv = [sys.executable, "-m", "llmenv", "setup", self.ref, "--env", str(target), "--skip-smoke", "-q"]
        return timed([*argv, "--backend", backend, *extra], cwd=self.work)

    def first_import(self, target: Path) -> float:
        return timed([str(target / "bin/python"), "-c", self.imports])


def warm_up_seconds(since: float) -> float:
    """Seconds from `since` until llmenv's background bytecode warm-up (warm_imports.py) is no longer running."""
    while any(b"warm_imports.py" in cmdline for cmdline in _cmdlines()):
        time.sleep(0.02)
    return time.perf_counter() - since


def _cmdlines() -> list[bytes]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                out.append((proc / "cmdline").read_bytes())
            except OSError:  # it exited meanwhile
                continue
    return out


def case_for(name: str, work: Path, facts: HostFacts, uv: str) -> Case:
    ref = str(work / "small.yaml") if name == "small" else name
    plan = make_plan(load_profile(ref), facts, Options(env=str(work / "x")), {})
    pins = work / f"{name}.txt"
    pins.write_text("\n".join(plan.requirements) + "\n")
    source, env_add = source_args(plan.indexes)
    for constraint in plan.indexes.constraints:
        source += ["--constraints", constraint]
    imports = "import " + ", ".join(plan.imports)
    return Case(ref, plan.python.value, pins, imports, source, {**os.environ, **env_add}, work, uv)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", nargs="+", default=["small", "torch", "transformers"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-pip", action="store_true", help="skip the pip paths (for more uv runs in less time)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="llmenv-bench-"))
    (work / "small.yaml").write_text(SMALL)
    facts = probe_host(offline=True)
    uv = uv_binary()
    for name in args.profiles:
        case = case_for(name, work, facts, uv)
        results: dict[str, list[float]] = {}
        # One untimed round each warms the caches (uv's cache, pip's wheel cache where it stores anything).
        case.raw_uv(work / "a")
        case.llmenv(work / "c", "uv", "--force")
        warm_up_seconds(time.perf_counter())
        for _ in range(args.runs):
            results.setdefault("uv raw", []).append(case.raw_uv(work / "a"))
            results.setdefault("uv raw: next import", []).append(case.first_import(work / "a"))
            results.setdefault("uv raw no-op", []).append(case.raw_uv_noop(work / "a"))
            results.setdefault("llmenv (uv)", []).append(case.llmenv(work / "c", "uv", "--force"))
            results.setdefault("llmenv (uv): bytecode ready after", []).append(warm_up_seconds(time.perf_counter()))
            results.setdefault("llmenv (uv): next import", []).append(case.first_import(work / "c"))
            results.setdefault("llmenv no-op re-run", []).append(case.llmenv(work / "c", "uv"))
        for _ in range(0 if args.no_pip else max(1, args.runs - 1)):
            results.setdefault("pip raw", []).append(case.raw_pip(work / "b"))
            results.setdefault("pip raw: next import", []).append(case.first_import(work / "b"))
            results.setdefault("llmenv (pip)", []).append(case.llmenv(work / "d", "pip", "--force"))
            warm_up_seconds(time.perf_counter())
        medians = {k: round(statistics.median(v), 2) for k, v in results.items()}
        print(json.dumps({"profile": name, **medians}), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
