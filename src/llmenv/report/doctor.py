"""`llmenv doctor` as a table grouped by area, or as versioned JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmenv import __version__
from llmenv.report.console import one_line, stdout_console, table_width, write_lines
from llmenv.verify.model import Status

if TYPE_CHECKING:
    from llmenv.workflow.doctor import DoctorReport

DOCTOR_SCHEMA = "llmenv.doctor/1"
PROBE_SCHEMA = "llmenv.probe/1"
AREAS = ("python", "path", "platform", "disk", "gpu", "pip", "network", "env")
MARK = {Status.OK: "ok", Status.WARN: "WARN", Status.FAIL: "FAIL", Status.SKIP: "skip"}
STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}


def doctor_json(report: DoctorReport) -> dict[str, Any]:
    """The document, typed (report/documents/doctor.py): its JSON Schema is generated from the same model."""
    from llmenv.report.documents.doctor import DoctorDocument
    from llmenv.report.documents.parts import build

    counts = {s.value: sum(1 for f in report.findings if f.status is s) for s in Status}
    fields = {
        "schema": DOCTOR_SCHEMA,
        "llmenv_version": __version__,
        "verdict": report.verdict.value,
        "exit_code": report.exit_code,
        "profile": report.profile.name if report.profile else None,
        "profile_is_default": report.profile_is_default,
        "profile_from_stamp": report.profile_from_stamp,
        "accelerator": report.accelerator,
        "env": str(report.env) if report.env else None,
        "summary": counts,
        "findings": [f.to_dict() for f in report.findings],
        "plan": report.plan.to_dict() if report.plan is not None else None,
        "facts": report.facts.to_dict(),
        "seconds": round(report.seconds, 3),
    }
    return build(DoctorDocument, fields)


def print_doctor(report: DoctorReport, *, verbose: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    from llmenv.report.text import printable

    console = stdout_console()
    profile = report.profile.name if report.profile else "-"
    default = " (default; choose with --profile)" if report.profile_is_default else ""
    default = " (from the env's stamp)" if report.profile_from_stamp else default
    header = f"llmenv doctor: profile {profile}{default}, accelerator {report.accelerator}"
    ordered = sorted(report.findings, key=lambda f: AREAS.index(f.area) if f.area in AREAS else 99)
    shown = [f for f in ordered if verbose or not (f.status is Status.OK and f.area in ("disk",))]
    if table_width(100) is None:
        write_lines([header, *(_plain(f) for f in shown), _verdict(report)[0]])
        return
    console.print(header)
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold", expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("AREA", no_wrap=True)
    table.add_column("CHECK", overflow="fold")
    table.add_column("DETAILS", overflow="fold", ratio=1)
    for finding in shown:
        # Evidence quotes the user's configuration and environment: control characters are shown escaped.
        details = Text(printable(finding.evidence, keep_newlines=True))
        if finding.fix and finding.status in (Status.WARN, Status.FAIL):
            details.append("\nfix: " + printable(finding.fix, keep_newlines=True), style="bold")
        table.add_row(
            Text(MARK[finding.status], style=STYLE[finding.status]),
            finding.area,
            Text(printable(f"{finding.title}\n[{finding.id}]", keep_newlines=True)),
            details,
        )
    console.print(table)
    text, style = _verdict(report)
    console.print(Text(text, style=style))


def _plain(finding: Any) -> str:
    """One finding, whole, on one line: status, id, title, evidence and (when not ok) the fix."""
    line = f"{MARK[finding.status]:<4} [{finding.id}] {one_line(finding.title)}: {one_line(finding.evidence)}"
    if finding.fix and finding.status in (Status.WARN, Status.FAIL):
        line += f" -- fix: {one_line(finding.fix)}"
    return line


def _verdict(report: DoctorReport) -> tuple[str, str]:
    counts = {s: sum(1 for f in report.findings if f.status is s) for s in Status}
    verdict = {
        Status.OK: "no problems found",
        Status.WARN: f"{counts[Status.WARN]} warning(s), nothing blocking",
        Status.FAIL: f"{counts[Status.FAIL]} problem(s) will break installs or training",
    }[report.verdict]
    text = (
        f"Verdict: {verdict} ({counts[Status.OK]} ok, {counts[Status.WARN]} warn, {counts[Status.FAIL]} fail) "
        f"in {report.seconds:.2f} s"
    )
    return text, STYLE[report.verdict]


__all__ = ["DOCTOR_SCHEMA", "PROBE_SCHEMA", "doctor_json", "print_doctor"]
