"""Smoke-test progress (epochs, loss, samples/s) and result rendering; JSON schema `llmenv.smoke/1`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmenv import __version__
from llmenv.report.console import stderr_console, stdout_console

if TYPE_CHECKING:
    from llmenv.verify.smoke.runner import SmokeResult

SMOKE_SCHEMA = "llmenv.smoke/1"


class SmokeProgress:
    """Plain lines per epoch; in a terminal a rich progress bar over the steps of each epoch as well."""

    def __init__(self, quiet: bool = False) -> None:
        import sys

        from llmenv.report.console import plain_output

        self.quiet = quiet
        self.console = stderr_console()
        self.live = not quiet and not plain_output() and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def download(self, done: int, total: int | None) -> None:
        if self.quiet:
            return
        if total and done % (8 << 20) < (1 << 16):
            self.console.print(f"   downloading aclImdb_v1.tar.gz: {done >> 20} / {total >> 20} MB")

    def event(self, event: dict[str, Any]) -> None:
        if self.quiet:
            return
        kind = event.get("event")
        if kind == "data":
            self.data(event)
        elif kind == "start":
            self.console.print(
                f"-> training {event['framework']} ({event['version']}) on {event['device']}: {event['train']} train / "
                f"{event['test']} test reviews, {event['epochs']} epochs (imports took {event['import_s']} s)"
            )
        elif kind == "step" and self.live:
            if self._bar is None:
                from rich.progress import Progress

                self._bar = Progress(console=self.console, transient=True)
                self._bar.start()
                self._task = self._bar.add_task("epoch", total=event["steps"])
            self._bar.update(
                self._task, completed=event["step"], total=event["steps"], description=f"epoch {event['epoch']}"
            )
        elif kind == "epoch":
            self._stop_bar()
            self.console.print(
                f"   epoch {event['epoch']}/{event['epochs']}: loss {event['loss']:.4f}, train accuracy "
                f"{event.get('accuracy', 0):.3f}, {event['seconds']} s, "
                f"{event['samples_per_s']} samples/s"
            )
        elif kind == "result":
            self._stop_bar()

    def data(self, event: dict[str, Any]) -> None:
        """Said before training starts, so nobody waits for a figure that will not mean anything."""
        if not event.get("synthetic"):
            self.console.print(f"-> data: {event['source']}")
            return
        self.console.print(
            "NOTE: no real IMDB reviews found, so this run trains a few seconds on a SYNTHETIC set only to prove the "
            "stack trains; no IMDB accuracy will be measured. Give real data with --data PATH or LLMENV_IMDB "
            "(an aclImdb folder or .tar.gz, a CSV, or Keras imdb.npz)."
        )
        self.console.print(f"   why: {event['source']}")
        for note in event.get("notes") or []:
            self.console.print(f"   passed over: {note}")

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


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
            f"{tutorial['reference_accuracy']:.4f} ({tutorial['difference']:+.4f}; {tutorial['epochs']} epochs, "
            f"{tutorial['test']} test reviews from {result.data.source})"
        )
    if result.data.synthetic:
        console.print("  NOTE: no IMDB data was found; the run used a synthetic set, so no IMDB accuracy was measured.")
    if finding.fix:
        console.print(f"  fix: {finding.fix}")
    console.print(f"  log: {result.log}")


__all__ = ["SMOKE_SCHEMA", "SmokeProgress", "print_smoke", "smoke_json"]
