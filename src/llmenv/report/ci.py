"""Renderers for CI systems: JUnit XML (one testcase per finding) and GitHub Actions (annotations and a Markdown
step summary). They take the same findings as the console and JSON renderers and never change the exit code."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from llmenv.export.emit import xml_text
from llmenv.report.text import plural
from llmenv.sink import append_text, redact
from llmenv.verify.model import Finding, Status


@dataclass(frozen=True)
class CiReport:
    """What any command hands to the CI renderers."""

    command: str  # doctor | setup | smoke
    title: str  # one line: "llmenv setup transformers -> .venv: created"
    findings: Sequence[Finding]
    exit_code: int
    seconds: float


def junit_xml(report: CiReport) -> str:
    import xml.etree.ElementTree as ET  # only for --junit: every setup imports this module for its CI outputs

    failures = sum(1 for f in report.findings if f.status is Status.FAIL)
    skipped = sum(1 for f in report.findings if f.status is Status.SKIP)
    suites = ET.Element("testsuites", name="llmenv", tests=str(len(report.findings)), failures=str(failures))
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=f"llmenv {report.command}",
        tests=str(len(report.findings)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{report.seconds:.3f}",
    )
    for finding in report.findings:
        classname = xml_text(f"llmenv.{report.command}.{finding.area}")
        case = ET.SubElement(suite, "testcase", classname=classname, name=xml_text(finding.id), time="0")
        # Tool output can hold control characters, which XML 1.0 cannot: written as escapes, the file stays XML.
        title = xml_text(finding.title)
        text = xml_text(f"{finding.title}\n{finding.evidence}" + (f"\nfix: {finding.fix}" if finding.fix else ""))
        if finding.status is Status.FAIL:
            failure = ET.SubElement(case, "failure", message=title, type="llmenv.fail")
            failure.text = text
        elif finding.status is Status.SKIP:
            ET.SubElement(case, "skipped", message=title)
        else:
            out = ET.SubElement(case, "system-out")
            out.text = f"WARNING: {text}" if finding.status is Status.WARN else text
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_junit(report: CiReport, path: Path) -> None:
    from llmenv.sink import write_text

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, junit_xml(report))


def _escape(text: str, *, property_value: bool = False) -> str:
    # GitHub workflow-command escaping: %, CR and LF always; ':' and ',' inside properties.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def annotation_lines(report: CiReport) -> list[str]:
    lines = []
    for finding in report.findings:
        if finding.status not in (Status.FAIL, Status.WARN):
            continue
        kind = "error" if finding.status is Status.FAIL else "warning"
        # Redacted before escaping: the stream's redaction could not see a URL whose ':' became %3A.
        title = _escape(redact(f"llmenv {report.command}: {finding.title} [{finding.id}]"), property_value=True)
        message = finding.evidence + (f" -- fix: {finding.fix}" if finding.fix else "")
        lines.append(f"::{kind} title={title}::{_escape(message)}")
    return lines


def step_summary(report: CiReport) -> str:
    counts = {s: sum(1 for f in report.findings if f.status is s) for s in Status}
    icon = {Status.OK: "✅", Status.WARN: "⚠️", Status.FAIL: "❌", Status.SKIP: "⏭️"}
    verdict = "failed" if report.exit_code else "passed"
    rows = [
        f"### {icon[Status.FAIL] if report.exit_code else icon[Status.OK]} {_md(report.title)}: {verdict}",
        "",
        f"{counts[Status.OK]} ok, {plural(counts[Status.WARN], 'warning')}, {counts[Status.FAIL]} failed, "
        f"{counts[Status.SKIP]} skipped in {report.seconds:.1f} s (exit code {report.exit_code})",
        "",
        "| | check | details |",
        "| --- | --- | --- |",
    ]
    order = {Status.FAIL: 0, Status.WARN: 1, Status.OK: 2, Status.SKIP: 3}
    for finding in sorted(report.findings, key=lambda f: order[f.status]):
        details = finding.evidence + (
            f" **fix:** {finding.fix}" if finding.fix and finding.status is not Status.OK else ""
        )
        rows.append(f"| {icon[finding.status]} | {_md(finding.title)} `{finding.id}` | {_md(details)} |")
    return "\n".join(rows) + "\n\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def emit_github(report: CiReport, stdout_is_data: bool) -> None:
    """Under GitHub Actions: annotations (to stderr when stdout carries --json data) and the step summary."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    import sys

    stream = sys.stderr if stdout_is_data else sys.stdout
    for line in annotation_lines(report):
        stream.write(line + "\n")
    stream.flush()
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            append_text(summary, step_summary(report))
        except OSError as exc:
            # The runner's file, not the user's request: the command's own result stands; say why it is missing.
            from llmenv.errors import os_error_reason

            sys.stderr.write(
                f"warning: GITHUB_STEP_SUMMARY={summary} cannot be written ({os_error_reason(exc)[0]}); "
                "the step summary is skipped\n"
            )


def publish(report: CiReport, junit: Path | None, stdout_is_data: bool) -> None:
    if junit is not None:
        try:
            write_junit(report, junit)
        except OSError as exc:
            from llmenv.errors import output_error

            raise output_error(exc, junit, "--junit") from None
    emit_github(report, stdout_is_data)


__all__ = ["CiReport", "annotation_lines", "emit_github", "junit_xml", "publish", "step_summary", "write_junit"]
