"""Setup's progress lines, plan view (`--dry-run`) and summary; JSON schema `llmenv.setup/1`."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from llmenv import __version__
from llmenv.report.console import plain_output, stderr_console, stdout_console

if TYPE_CHECKING:
    from llmenv.plan.model import Plan
    from llmenv.workflow import SetupReport

SETUP_SCHEMA = "llmenv.setup/1"


class Progress:
    """Phase lines on stderr. In a terminal the current phase shows a spinner with the installer's latest line."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.live = not quiet and not plain_output() and sys.stderr.isatty()
        self.console = stderr_console()
        self._status: Any = None
        self._phase: str | None = None
        self._start = 0.0

    def __call__(self, phase: str) -> Callable[[str], None]:
        self._finish()
        self._phase, self._start = phase, time.perf_counter()
        if self.quiet:
            return lambda line: None
        if self.live:
            self._status = self.console.status(phase)
            self._status.start()
            return lambda line: self._status.update(f"{phase}: {line[-100:]}")
        self.console.print(f"-> {phase}")
        return lambda line: None

    def _finish(self, failed: bool = False) -> None:
        if self._phase is None:
            return
        if self._status is not None:
            self._status.stop()
            self._status = None
        if not self.quiet:
            word = "FAILED" if failed else "done"
            self.console.print(f"   {word}: {self._phase} ({time.perf_counter() - self._start:.1f} s)")
        self._phase = None

    def close(self, failed: bool = False) -> None:
        self._finish(failed)


def setup_json(report: SetupReport) -> dict[str, Any]:
    return {
        "schema": SETUP_SCHEMA,
        "llmenv_version": __version__,
        "status": report.status,
        "exit_code": report.exit_code,
        "env": str(report.env),
        "generation": str(report.generation) if report.generation else None,
        "plan": report.plan.to_dict(),
        "changes": list(report.changes),
        "steps": [{"name": s.name, "seconds": round(s.seconds, 3), "detail": s.detail} for s in report.steps],
        "findings": [f.to_dict() for f in report.findings],
        "log": str(report.log) if report.log else None,
        "smoke": report.smoke.to_dict() if report.smoke is not None else None,
        "seconds": round(report.seconds, 3),
    }


def print_plan(plan: Plan) -> None:
    console = stdout_console()
    console.print(f"Plan for profile {plan.profile} -> {plan.env}")
    console.print(f"  python       {plan.python.value} ({plan.python_version}): {plan.python.why}")
    console.print(f"  backend      {plan.backend.value}: {plan.backend.why}")
    console.print(f"  accelerator  {plan.accelerator.value}: {plan.accelerator.why}")
    if plan.variant:
        console.print(f"  variant      {plan.variant.value}: {plan.variant.why}")
        for value, why in plan.variant.rejected:
            console.print(f"    rejected   {value}: {why}")
    for value, why in plan.accelerator.rejected:
        console.print(f"    rejected   {value}: {why}")
    for value, why in plan.python.rejected:
        console.print(f"    python not chosen: {value}: {why}")
    indexes = plan.indexes.to_dict()
    console.print(f"  variant index {indexes['variant_index'] or 'none'}")
    console.print(
        f"  indexes      {indexes['index_url'] or 'PyPI (default)'}; extra: {', '.join(indexes['extra_index_urls']) or '-'}"
    )
    console.print(
        f"  find-links   {', '.join(indexes['find_links']) or '-'}; constraints: {', '.join(indexes['constraints']) or '-'}"
    )
    console.print("  requirements")
    for requirement in plan.requirements:
        console.print(f"    {requirement}")
    console.print(f"  checks       imports {', '.join(plan.imports) or '-'}; gpu {plan.gpu_check}")
    for override in plan.overrides:
        console.print(f"  override     {override}")
    for warning in plan.warnings:
        console.print(f"  WARNING      {warning}")


def print_setup(report: SetupReport) -> None:
    console = stdout_console()
    plan = report.plan
    variant = f" ({plan.variant.value})" if plan.variant and plan.variant.value != plan.accelerator.value else ""
    if report.status != "up-to-date":
        for warning in plan.warnings:
            stderr_console().print(f"warning: {warning}")
    if report.status in ("up-to-date", "smoke-only"):
        what = "nothing to do" if report.status == "up-to-date" else "ran only its smoke test, which it had not passed"
        console.print(
            f"{report.env} is up to date (profile {plan.profile}, Python {plan.python_version}, "
            f"{plan.accelerator.value}{variant}); {what} ({report.seconds:.2f} s)"
        )
        return
    verb = {"created": "Created", "updated": "Updated", "repaired": "Repaired"}[report.status]
    failed = [f for f in report.findings if f.status.value == "fail"]
    skipped = [f for f in report.findings if f.status.value == "skip"]
    console.print(
        f"{verb} {report.env} -> {report.generation} in {report.seconds:.1f} s: profile {plan.profile}, "
        f"Python {plan.python_version}, {plan.backend.value}, {plan.accelerator.value}{variant}"
    )
    for change in report.changes:
        console.print(f"  changed: {change}")
    steps = ", ".join(f"{s.name} {s.seconds:.1f} s" for s in report.steps)
    console.print(f"  steps: {steps}")
    ok = [f for f in report.findings if f.status.value == "ok"]
    console.print(f"  checks: {len(ok)} ok, {len(failed)} failed, {len(skipped)} skipped")
    for finding in report.findings:
        if finding.id.startswith("env.import."):
            console.print(f"    {finding.title} ({finding.evidence})")
    for finding in skipped:
        console.print(f"    skipped: {finding.title}")
    console.print(f"  activate: source {report.env}/bin/activate   (or run {report.env}/bin/python)")
    console.print(f"  log: {report.log}")


__all__ = ["SETUP_SCHEMA", "Progress", "print_plan", "print_setup", "setup_json"]
