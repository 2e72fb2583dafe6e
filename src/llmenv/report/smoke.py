"""Smoke-test result rendering, JSON schema `llmenv.smoke/1`, and the data line shown before training (the progress
itself is report/live.py's)."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from llmenv import __version__
from llmenv.report.console import stdout_console
from llmenv.report.text import plural

if TYPE_CHECKING:
    from llmenv.verify.smoke.runner import SmokeResult

SMOKE_SCHEMA = "llmenv.smoke/1"


def data_lines(event: dict[str, Any]) -> list[str]:
    """The data a smoke run uses, said before training starts, so nobody waits for a figure that will not mean
    anything."""
    if not event.get("synthetic"):
        return [f"-> data: {event['source']} ({event['train']} train / {event['test']} test reviews)"]
    return [
        "NOTE: no real IMDB reviews found, so this run trains a few seconds on a SYNTHETIC set only to prove the "
        "stack trains; no IMDB accuracy will be measured. Give real data with --data PATH or LLMENV_IMDB "
        "(an aclImdb folder or .tar.gz, a CSV, or Keras imdb.npz).",
        f"   why: {event['source']}",
        *(f"   passed over: {note}" for note in event.get("notes") or []),
    ]


def smoke_json(result: SmokeResult) -> dict[str, Any]:
    """The document, typed (report/documents/smoke.py): its JSON Schema is generated from the same model."""
    from llmenv.report.documents.parts import build
    from llmenv.report.documents.smoke import SmokeDocument

    fields = {"schema": SMOKE_SCHEMA, "llmenv_version": __version__, "exit_code": 0 if result.passed else 1}
    return build(SmokeDocument, {**fields, **result.to_dict()})


def print_smoke(result: SmokeResult) -> None:
    console = stdout_console()
    finding = result.finding()
    console.print(f"{finding.title}: {finding.evidence}")
    tutorial = result.to_dict().get("tutorial")
    if tutorial:
        console.print(
            f"  tutorial model: test accuracy {tutorial['accuracy']:.4f} beside the tutorial's reported "
            f"{tutorial['reference_accuracy']:.4f} ({tutorial['difference']:+.4f}; {plural(tutorial['epochs'], 'epoch')}, "
            f"{tutorial['test']} test reviews from {result.data.source})"
        )
    for line in finetune_lines(result.to_dict()):
        console.print(line)
    if result.data.synthetic:
        console.print("  NOTE: no IMDB data was found; the run used a synthetic set, so no IMDB accuracy was measured.")
    if finding.fix:
        console.print(f"  fix: {finding.fix}")
    console.print(f"  log: {result.log}")
    board = result.extra.get("tensorboard")
    if board:
        missing = result.extra.get("tensorboard_missing")
        console.print(
            f"  tensorboard: {missing}" if missing else f"  tensorboard: tensorboard --logdir {shlex.quote(board)}"
        )


def finetune_lines(report: dict[str, Any]) -> list[str]:
    """The fine-tuning test's facts beside its headline (LoRA) accuracy: what LoRA trained, the full fine-tune."""
    lines = []
    lora, reference, pretrain = report.get("lora"), report.get("reference"), report.get("pretrain")
    if isinstance(lora, dict):
        lines.append(
            f"  LoRA: {lora['trainable_params']:,} of {lora['total_params']:,} weights trainable "
            f"({lora['trainable_fraction']:.1%}); adapter saved, loaded with PeftModel.from_pretrained and merged "
            "with merge_and_unload: same test predictions"
        )
    if isinstance(pretrain, dict):
        curve = pretrain.get("mlm_loss_curve") or []
        loss = f", MLM loss {curve[0]:.2f} -> {curve[-1]:.2f}" if curve else ""
        lines.append(f"  pre-training: {pretrain.get('seconds')} s, {pretrain.get('steps')} steps{loss}")
    if isinstance(reference, dict):
        lines.append(
            f"  reference: full fine-tune from the same checkpoint, test accuracy {reference['full_finetune_accuracy']:.3f}"
        )
    return lines


__all__ = ["SMOKE_SCHEMA", "data_lines", "finetune_lines", "print_smoke", "smoke_json"]
