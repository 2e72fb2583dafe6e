"""Smoke-test result rendering, JSON schema `llmenv.smoke/1`, and the data line shown before training (the progress
itself is report/live.py's)."""

from __future__ import annotations

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
    return {
        "schema": SMOKE_SCHEMA,
        "llmenv_version": __version__,
        "exit_code": 0 if result.passed else 1,
        **result.to_dict(),
    }


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
    if result.data.synthetic:
        console.print("  NOTE: no IMDB data was found; the run used a synthetic set, so no IMDB accuracy was measured.")
    if finding.fix:
        console.print(f"  fix: {finding.fix}")
    console.print(f"  log: {result.log}")


__all__ = ["SMOKE_SCHEMA", "data_lines", "print_smoke", "smoke_json"]
