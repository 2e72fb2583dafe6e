"""One display per command on stderr: phases, the installer's progress, the training bar.

In a terminal a single rich `Live` region owns the bottom of the screen: the current phase with a spinner and its
elapsed time, a clean line of installer progress (installer_lines.py), and the epoch bar while a model trains.
Everything else (a finished phase, an epoch summary, a warning) is printed above the region by the same console, so
two writers never share a line; on exit the region is removed and only those final lines stay. Not a terminal (a
pipe, a file, CI): plain lines, one fact per line, nothing that redraws."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmenv.report.console import Printer, plain_output, stderr_console, terminal_console
from llmenv.report.installer_lines import installer_status
from llmenv.report.smoke import data_lines
from llmenv.report.text import plural

if TYPE_CHECKING:
    from rich.console import Console


PLAIN_STEP_EVERY = 30.0  # seconds between progress lines within an epoch, when not a terminal


class LiveDisplay:
    """Used as setup's `progress(phase) -> on_line` and as the smoke test's (event, download) callbacks."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = not quiet and not plain_output() and sys.stderr.isatty()
        self._console: Printer | None = None  # made on first use: a quiet run never imports rich
        # A terminal run draws with rich from the start; made here, before the live region's thread can ask for it.
        self._terminal_console: Console | None = terminal_console() if self.tty else None
        self._live: Any = None
        self._lock = threading.Lock()
        self._phase: str | None = None
        self._start = 0.0
        self._detail = ""
        self._bar: tuple[int, int, int, int] | None = None  # epoch, epochs, step, steps
        self._epochs = 0
        self._plain_epoch = 0  # plain output: the last epoch whose start was printed
        self._plain_step_at = 0.0  # plain output: when the last line about the training steps was printed
        self._plain_download = -1  # plain output: the last tenth of the download printed
        self.last_phase: str | None = None  # the phase a Ctrl-C or failure happened in

    @property
    def console(self) -> Printer:
        if self._console is None:
            self._console = self._terminal() if self.tty else stderr_console()
        return self._console

    def _terminal(self) -> Console:
        """The one rich console of a terminal run: the live region and the lines printed above it share it."""
        if self._terminal_console is None:
            self._terminal_console = terminal_console()
        return self._terminal_console

    # -- phases --------------------------------------------------------------------------------------------------

    def __call__(self, phase: str) -> Callable[[str], None]:
        self._finish("done")
        with self._lock:
            self._phase, self._start, self._detail = phase, time.perf_counter(), ""
            self.last_phase = phase
        if self.quiet:
            return lambda line: None
        if self.tty:
            self._ensure_live()
            return self._on_line
        self.console.print(f"-> {phase}")
        return self._notice

    def _notice(self, line: str) -> None:
        """Plain output hides the installer's lines, but not what llmenv says it is waiting for."""
        from llmenv.process import Notice

        if isinstance(line, Notice):
            self.console.print(f"   {line}")

    def _on_line(self, line: str) -> None:
        from llmenv.process import Notice

        status = str(line) if isinstance(line, Notice) else installer_status(line)
        if status:
            with self._lock:
                self._detail = status

    def _finish(self, word: str) -> None:
        with self._lock:
            phase, start = self._phase, self._start
            self._phase, self._detail, self._bar = None, "", None
        if phase is None or self.quiet:
            return
        self.console.print(f"   {word}: {phase} ({time.perf_counter() - start:.1f} s)")

    def close(self, failed: bool = False, interrupted: bool = False) -> None:
        """Finish the last phase and collapse the live region to the lines printed above it."""
        self._finish("interrupted" if interrupted else "FAILED" if failed else "done")
        if self._live is not None:
            self._live.stop()
            self._live = None

    # -- smoke test ----------------------------------------------------------------------------------------------

    def download(self, done: int, total: int | None) -> None:
        if self.quiet:
            return
        text = f"downloading aclImdb_v1.tar.gz: {done / 2**20:.0f} MiB" + (
            f" of {total / 2**20:.0f} MiB" if total else ""
        )
        if self.tty:
            with self._lock:
                self._detail = text
            return
        # Plain: a line per tenth of the download (per 8 MiB when the size is unknown), whatever the chunk sizes.
        tenth = min(10, done * 10 // total) if total else done >> 23
        if tenth > self._plain_download:
            self._plain_download = tenth
            self.console.print(f"   {text}")

    def event(self, event: dict[str, Any]) -> None:
        if self.quiet:
            return
        kind = event.get("event")
        if kind == "data" and not self.tty:
            for line in data_lines(event):
                self.console.print(line)
        elif kind == "budget":
            self.console.print(f"-> {event['text']}")
        elif kind == "start":
            self.console.print(
                f"-> training {event['framework']} ({event['version']}) on {event['device']}: {event['train']} train / "
                f"{event['test']} test reviews, {plural(int(event['epochs']), 'epoch')} "
                f"(imports took {event['import_s']} s)"
            )
            with self._lock:
                self._detail, self._epochs = f"training on {event['device']}", int(event["epochs"])
        elif kind == "step":
            with self._lock:
                self._bar = (event["epoch"], self._epochs, event["step"], event["steps"])
            if self.tty:
                return
            now = time.monotonic()
            if int(event["epoch"]) > self._plain_epoch:
                self._plain_epoch, self._plain_step_at = int(event["epoch"]), now
                self.console.print(
                    f"   epoch {event['epoch']}/{self._epochs}{_phase(event)}: training, {event['steps']} steps"
                )
            elif now - self._plain_step_at >= PLAIN_STEP_EVERY:
                # A long epoch (the full IMDB set on a CPU) must not leave a CI log silent for minutes.
                self._plain_step_at = now
                done = int(event["step"]) * 100 // max(1, int(event["steps"]))
                self.console.print(
                    f"   epoch {event['epoch']}/{self._epochs}: step {event['step']}/{event['steps']} ({done}%)"
                )
        elif kind == "epoch":
            with self._lock:
                self._bar = None
            accuracy = event.get("accuracy", 0)  # None: pre-training has no accuracy
            trained = "" if accuracy is None else f", train accuracy {accuracy:.3f}"
            self.console.print(
                f"   epoch {event['epoch']}/{event['epochs']}{_phase(event)}: loss {event['loss']:.4f}{trained}, "
                f"{event['seconds']} s, {event['samples_per_s']} samples/s"
            )
        elif kind == "result":
            with self._lock:
                self._bar, self._detail = None, "evaluating"

    # -- the live region -----------------------------------------------------------------------------------------

    def _ensure_live(self) -> None:
        if self._live is None:
            from rich.live import Live

            self._live = Live(
                get_renderable=self._render,
                console=self._terminal(),
                transient=True,
                refresh_per_second=8,
                redirect_stdout=False,
                redirect_stderr=True,
            )
            self._live.start()

    def _render(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        with self._lock:
            phase, start, detail, bar = self._phase, self._start, self._detail, self._bar
        if phase is None:
            return Text("")
        width = self._terminal().width
        head = f"{phase} ({time.perf_counter() - start:.0f} s)"
        rows: list[Any] = [Spinner("dots", text=Text(head[: width - 3], no_wrap=True, overflow="ellipsis"))]
        if bar is not None:
            epoch, epochs, step, steps = bar
            grid = Table.grid(padding=(0, 1))
            grid.add_row(
                Text(f"   epoch {epoch}/{epochs}" if epochs else f"   epoch {epoch}"),
                ProgressBar(total=max(steps, 1), completed=step, width=min(40, max(10, width - 40))),
                Text(f"{step}/{steps} steps"),
            )
            rows.append(grid)
        elif detail:
            rows.append(Text(f"   {detail}"[:width], no_wrap=True, overflow="ellipsis"))
        return Group(*rows)


def _phase(event: dict[str, Any]) -> str:
    """The fine-tuning test's stage (pre-training, LoRA, full) after its epoch number; nothing for the others."""
    return f" ({event['phase']})" if event.get("phase") else ""


__all__ = ["LiveDisplay"]
