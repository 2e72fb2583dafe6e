"""Run the IMDB smoke test inside an environment and judge it.

The payload scripts are executed by the env's own interpreter (llmenv is not installed there) and stream events
on stdout; this side shows them as progress, keeps the full output in a log, and turns the result into a finding.
On real IMDB reviews the verdict is the profile's accuracy bar (`smoke.min_accuracy`). On the synthetic fallback
there is no IMDB accuracy to judge: the run is kept to a few seconds and only proves the stack trains, so its
verdict says exactly that and never passes an accuracy bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmenv.process import run_logged
from llmenv.verify.env import env_python, payload
from llmenv.verify.model import Finding, Status
from llmenv.verify.smoke.data import Prepared

EVENT = "LLMENV-EVENT "
PAYLOADS = {
    "torch": "smoke_torch.py",
    "keras": "smoke_keras.py",
    "transformers": "smoke_transformers.py",
    "finetune": "smoke_finetune.py",
}
FRAMEWORK_MODULES = {"torch": "torch", "keras": "tensorflow", "transformers": "transformers", "finetune": "peft"}
# What the fine-tuning payload reports beside its headline (LoRA) accuracy; copied to the top of --json.
FINETUNE_KEYS = ("lora", "reference", "pretrain")
# The synthetic run proves the stack trains: one short epoch over short sequences, a few seconds on a laptop CPU.
SYNTHETIC_EPOCHS = 1
SYNTHETIC_MAXLEN = 64
# ... and the fine-tuning test pre-trains for a few seconds only.
SYNTHETIC_EXTRA = {"finetune": ["--pretrain-s", "3"]}
STACK_TRAINS = "stack trains; no IMDB accuracy measured"
VERDICTS = ("accuracy-pass", "accuracy-fail", "stack-trains", "error")


@dataclass(frozen=True)
class Rerun:
    """How the user ran this smoke test, so a fix can give the whole command back with what to change."""

    argv: tuple[str, ...]  # llmenv smoke --env ... --profile ... [--data ...], without --epochs
    profile: str  # the profile's name
    profile_file: str | None  # the user's profile file; None for a built-in, changed through a child profile


@dataclass
class SmokeResult:
    framework: str
    passed: bool
    accuracy: float | None  # an IMDB accuracy; None when none was measured (synthetic data, crash)
    threshold: float
    data: Prepared
    events: list[dict[str, Any]] = field(default_factory=list)
    result: dict[str, Any] | None = None
    message: str = ""
    log: Path | None = None
    verdict: str = "error"
    extra: dict[str, Any] = field(default_factory=dict)
    fix_text: str | None = None  # a fix that fits this failure (a time-out), instead of the generic one

    @property
    def accuracy_pass(self) -> bool | None:
        """Whether the accuracy bar was met; None when there was no IMDB accuracy to hold against it."""
        if self.verdict in ("accuracy-pass", "accuracy-fail"):
            return self.verdict == "accuracy-pass"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "passed": self.passed,
            "verdict": self.verdict,
            "accuracy_pass": self.accuracy_pass,
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
            **self.extra,
        }

    def finding(self) -> Finding:
        status = Status.OK if self.passed else Status.FAIL
        r = self.result or {}
        trained = trained_words(self.framework, {**r, "synthetic": self.data.synthetic})
        if self.verdict == "stack-trains":
            title = f"IMDB smoke test ({self.framework}): {STACK_TRAINS}"
            evidence = (
                f"{self.framework} trained {trained} on a SYNTHETIC set "
                f"(loss {_curve(r)}) on {r.get('device')} in {r.get('wall_s')} s; data: {self.data.source}"
            )
            return Finding(f"smoke.{self.framework}", "smoke", status, title, evidence, None)
        evidence = (
            f"accuracy {self.accuracy:.3f} (min {self.threshold}) on {r.get('test', self.data.test_size)} held-out "
            f"reviews; device {r.get('device')}; train {r.get('train_s')} s at {r.get('samples_per_s')} samples/s; "
            f"wall {r.get('wall_s')} s; data: {self.data.source}"
            + (f"; trained {trained}" if self.framework == "finetune" else "")
            if self.accuracy is not None
            else self.message
        )
        title = f"IMDB smoke test ({self.framework}) " + ("passed" if self.passed else "failed")
        return Finding(f"smoke.{self.framework}", "smoke", status, title, evidence, None if self.passed else self.fix())

    def fix(self) -> str:
        if self.fix_text:
            return self.fix_text
        if self.accuracy is None:
            return f"read the log ({self.log}); run `llmenv doctor --env` to check the framework imports"
        return (
            "the stack trained but learned too little: check the loss curve in --json (flat means the optimizer or "
            "data pipeline is broken), give more epochs with --epochs, or check the data source"
        )


def trained_words(framework: str, result: dict[str, Any]) -> str:
    """What a run trained, from the payload's result: the fine-tuning test trains in three stages (masked-language
    pre-training for a time budget, LoRA's epochs, the full fine-tune's), as its progress counts them; any other
    framework trains the epochs of its loss curve."""

    def plural(count: int, word: str) -> str:
        return f"{count} {word}" if count == 1 else f"{count} {word}s"

    epochs = len(result.get("loss_curve") or [])
    pretrain, reference = result.get("pretrain"), result.get("reference")
    if framework != "finetune" or not isinstance(pretrain, dict):
        return plural(epochs, "short epoch" if result.get("synthetic") else "epoch")
    seconds, steps = pretrain.get("seconds"), pretrain.get("steps")
    said = [f"{seconds} s" if seconds is not None else "", plural(int(steps), "step") if steps is not None else ""]
    stages = [f"pre-training {said[0]} ({said[1]})" if all(said) else " ".join(["pre-training", *filter(None, said)])]
    stages.append(f"LoRA {plural(epochs, 'epoch')}")
    if isinstance(reference, dict):
        stages.append(f"full fine-tune {plural(len(reference.get('loss_curve') or []), 'epoch')}")
    return ", ".join(stages)


def _curve(result: dict[str, Any]) -> str:
    curve = result.get("loss_curve") or []
    return " -> ".join(f"{v:.3f}" for v in curve) or "none"


def _progress(events: list[dict[str, Any]]) -> str:
    """How far a run got, from the payload's own events: the epoch and step it was in, and epochs finished."""
    start = next((e for e in events if e.get("event") == "start"), None)
    if start is None:
        return "it stopped before training started (loading the framework and the data took the whole budget)"
    epochs = int(start.get("epochs") or 0)
    done = sum(1 for e in events if e.get("event") == "epoch")
    step = next((e for e in reversed(events) if e.get("event") == "step"), None)
    finished = f"{done} epoch{'' if done == 1 else 's'} done"
    if any(e.get("event") == "result" for e in events) or (done == epochs and epochs):
        return f"it trained all {epochs} epoch{'' if epochs == 1 else 's'} and was evaluating ({finished})"
    if step is None or int(step.get("epoch", 0)) <= done:
        return f"it was starting epoch {done + 1}/{epochs} ({finished})"
    return f"it was in epoch {step['epoch']}/{epochs}, step {step['step']}/{step['steps']} ({finished})"


def _timeout_fix(budget_s: float, rerun: Rerun | None) -> str:
    import shlex

    bigger = max(600, int(budget_s * 2))
    command = shlex.join([*rerun.argv, "--epochs", "1"]) if rerun else "llmenv smoke --env ENV --epochs 1"
    if rerun and rerun.profile_file:
        budget = f"raise smoke.time_budget_s in {rerun.profile_file} (e.g. {bigger})"
    else:
        name = rerun.profile if rerun else "PROFILE"
        budget = (
            f"raise the budget with a profile of your own (extends: {name}, and smoke.time_budget_s: {bigger} "
            "under smoke:) passed with --profile FILE"
        )
    return f"the machine is slower or busier than the budget allows: run one epoch with `{command}`, or {budget}"


def payload_argv(
    python: Path,
    framework: str,
    data: Prepared,
    *,
    epochs: int | None,
    model: str | None,
    extra: list[str] | None = None,
    tensorboard: Path | None = None,
) -> list[str]:
    """The payload's command line. Synthetic data gets one short epoch whatever the profile asks: its accuracy
    means nothing, so training longer would only spend the user's minutes."""
    argv = [str(python), "-I", payload(PAYLOADS[framework]), "--data", str(data.path), "--kind", data.kind]
    if data.synthetic:
        argv += [
            "--epochs",
            str(SYNTHETIC_EPOCHS),
            "--maxlen",
            str(SYNTHETIC_MAXLEN),
            *SYNTHETIC_EXTRA.get(framework, []),
        ]
    elif epochs:
        argv += ["--epochs", str(epochs)]
    if model:
        argv += ["--model", model]
    if tensorboard is not None:
        argv += ["--tensorboard", str(tensorboard)]
    return argv + (extra or [])


def judge(
    framework: str,
    data: Prepared,
    threshold: float,
    budget_s: float,
    events: list[dict[str, Any]],
    returncode: int | None,
    timed_out: bool,
    stdout: str,
    log: Path,
    rerun: Rerun | None = None,
) -> SmokeResult:
    """The verdict from a finished payload run (pure: the events it printed, its exit status)."""
    result = next((e for e in reversed(events) if e.get("event") == "result"), None)
    smoke = SmokeResult(framework, False, None, threshold, data, events, result, log=log)
    if timed_out:
        smoke.message = (
            f"the smoke test did not finish within its {budget_s:.0f} s budget (profile smoke.time_budget_s): "
            f"{_progress(events)}"
        )
        smoke.fix_text = _timeout_fix(budget_s, rerun)
    elif result is None:
        tail = "\n".join(stdout.splitlines()[-8:])
        smoke.message = f"the smoke test crashed (exit status {returncode}):\n{tail}"
    elif data.synthetic:
        losses = [float(v) for v in result.get("loss_curve") or []]
        if losses and all(math.isfinite(v) for v in losses):
            smoke.passed, smoke.verdict = True, "stack-trains"
            if "lora" in result:  # the adapter's size is a fact on any data; its accuracies are not
                smoke.extra["lora"] = result["lora"]
            smoke.message = f"{STACK_TRAINS} (synthetic data: its accuracy is not an IMDB figure)"
        else:
            smoke.message = f"training on the synthetic set gave no finite loss ({_curve(result)}): the stack is broken"
    else:
        smoke.accuracy = float(result["accuracy"])
        if result.get("reference_accuracy") is not None:
            reference = float(result["reference_accuracy"])
            smoke.extra["tutorial"] = {
                "accuracy": smoke.accuracy,
                "reference_accuracy": reference,
                "difference": round(smoke.accuracy - reference, 4),
                "epochs": len(result.get("loss_curve") or []),
                "test": result.get("test"),
            }
        smoke.extra.update({key: result[key] for key in FINETUNE_KEYS if key in result})
        smoke.passed = smoke.accuracy >= threshold
        smoke.verdict = "accuracy-pass" if smoke.passed else "accuracy-fail"
        smoke.message = (
            f"accuracy {smoke.accuracy:.3f} >= {threshold}"
            if smoke.passed
            else f"accuracy {smoke.accuracy:.3f} is below the profile's min_accuracy {threshold}"
        )
    return smoke


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
    rerun: Rerun | None = None,
    tensorboard: Path | None = None,
) -> SmokeResult:
    argv = payload_argv(
        env_python(env), framework, data, epochs=epochs, model=model, extra=extra, tensorboard=tensorboard
    )
    events: list[dict[str, Any]] = []

    def on_line(line: str) -> None:
        if line.startswith(EVENT):
            from llmenv.door.jsondoc import answer

            event = answer(line[len(EVENT) :], "the smoke runner's event")  # the door: bounded, never a crash
            if not isinstance(event, dict):
                return
            events.append(event)
            if on_event:
                on_event(event)

    import os

    hub_model = model and model != "tutorial"
    env_vars = {**os.environ, "HF_HUB_OFFLINE": os.environ.get("HF_HUB_OFFLINE", "0" if hub_model else "1")}
    env_vars.update(extra_env or {})  # HF_ENDPOINT from a mirror set
    proc = run_logged(argv, log=log, timeout=budget_s, env=env_vars, on_line=on_line)
    smoke = judge(
        framework, data, threshold, budget_s, events, proc.returncode, proc.timed_out, proc.stdout, log, rerun
    )
    if tensorboard is not None:
        smoke.extra["tensorboard"] = str(tensorboard)
        notice = next((e for e in events if e.get("event") == "notice"), None)
        if notice is not None:
            smoke.extra["tensorboard_missing"] = str(notice.get("message"))
    return smoke


__all__ = [
    "FRAMEWORK_MODULES",
    "PAYLOADS",
    "STACK_TRAINS",
    "Rerun",
    "SmokeResult",
    "judge",
    "payload_argv",
    "run_smoke",
    "trained_words",
]
