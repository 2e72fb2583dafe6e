"""Run the IMDB smoke test inside an environment and judge it.

The payload scripts are executed by the env's own interpreter (llmenv is not installed there) and stream events
on stdout; this side shows them as progress, keeps the full output in a log, and turns the result into a finding:
pass when test accuracy reaches the profile's `smoke.min_accuracy` within its time budget.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmenv.process import run_logged
from llmenv.verify.env import env_python, payload
from llmenv.verify.model import Finding, Status
from llmenv.verify.smoke.data import Prepared

EVENT = "LLMENV-EVENT "
PAYLOADS = {"torch": "smoke_torch.py", "keras": "smoke_keras.py", "transformers": "smoke_transformers.py"}
FRAMEWORK_MODULES = {"torch": "torch", "keras": "tensorflow", "transformers": "transformers"}


@dataclass
class SmokeResult:
    framework: str
    passed: bool
    accuracy: float | None
    threshold: float
    data: Prepared
    events: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    message: str = ""
    log: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "passed": self.passed,
            "accuracy": self.accuracy,
            "min_accuracy": self.threshold,
            "message": self.message,
            "dataset": {
                "source": self.data.source,
                "synthetic": self.data.synthetic,
                "train": self.data.train_size,
                "test": self.data.test_size,
            },
            "result": self.result,
            "epochs": [e for e in self.events if e.get("event") == "epoch"],
            "log": str(self.log) if self.log else None,
        }

    def finding(self) -> Finding:
        status = Status.OK if self.passed else Status.FAIL
        r = self.result or {}
        evidence = (
            f"accuracy {self.accuracy:.3f} (min {self.threshold}) on {r.get('test', self.data.test_size)} held-out reviews; "
            f"device {r.get('device')}; train {r.get('train_s')} s at {r.get('samples_per_s')} samples/s; "
            f"wall {r.get('wall_s')} s; data: {self.data.source}"
            if self.accuracy is not None
            else self.message
        )
        title = f"IMDB smoke test ({self.framework}) " + ("passed" if self.passed else "failed")
        if self.data.synthetic:
            title += " on SYNTHETIC data (not an IMDB figure)"
        return Finding(f"smoke.{self.framework}", "smoke", status, title, evidence, None if self.passed else self.fix())

    def fix(self) -> str:
        if self.accuracy is None:
            return f"read the log ({self.log}); run `llmenv doctor --env` to check the framework imports"
        return (
            "the stack trained but learned too little: check the loss curve in --json (flat means the optimizer or "
            "data pipeline is broken), give more epochs with --epochs, or check the data source"
        )


def run_smoke(
    env: Path,
    framework: str,
    data: Prepared,
    *,
    threshold: float,
    budget_s: float,
    log: Path,
    epochs: int | None = None,
    model: str | None = None,
    extra: list[str] | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    extra_env: dict[str, str] | None = None,
) -> SmokeResult:
    argv = [str(env_python(env)), "-I", payload(PAYLOADS[framework]), "--data", str(data.path), "--kind", data.kind]
    if epochs:
        argv += ["--epochs", str(epochs)]
    if model:
        argv += ["--model", model]
    argv += extra or []
    events: list[dict[str, Any]] = []

    def on_line(line: str) -> None:
        if line.startswith(EVENT):
            try:
                event = json.loads(line[len(EVENT) :])
            except json.JSONDecodeError:
                return
            events.append(event)
            if on_event:
                on_event(event)

    import os

    env_vars = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "1" if not model else "0")}
    env_vars.update(extra_env or {})  # HF_ENDPOINT from a mirror set
    proc = run_logged(argv, log=log, timeout=budget_s, env=env_vars, on_line=on_line)
    result = next((e for e in reversed(events) if e.get("event") == "result"), None)
    smoke = SmokeResult(framework, False, None, threshold, data, events, result, log=log)
    if proc.timed_out:
        smoke.message = (
            f"the smoke test did not finish within its {budget_s:.0f} s budget (profile smoke.time_budget_s)"
        )
    elif result is None:
        tail = "\n".join(proc.stdout.splitlines()[-8:])
        smoke.message = f"the smoke test crashed (exit status {proc.returncode}):\n{tail}"
    else:
        smoke.accuracy = float(result["accuracy"])
        smoke.passed = smoke.accuracy >= threshold
        smoke.message = (
            f"accuracy {smoke.accuracy:.3f} >= {threshold}"
            if smoke.passed
            else f"accuracy {smoke.accuracy:.3f} is below the profile's min_accuracy {threshold}"
        )
    return smoke


__all__ = ["FRAMEWORK_MODULES", "PAYLOADS", "SmokeResult", "run_smoke"]
