"""Findings: what every check returns, and what every renderer (table, JSON, JUnit) shows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    """One verdict. `id` is stable across releases so CI scripts and docs can refer to it."""

    id: str
    area: str
    status: Status
    title: str
    evidence: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "area": self.area,
            "status": self.status.value,
            "title": self.title,
            "evidence": self.evidence,
            "fix": self.fix,
        }


def ok(id: str, area: str, title: str, evidence: str) -> Finding:
    return Finding(id, area, Status.OK, title, evidence)


def warn(id: str, area: str, title: str, evidence: str, fix: str) -> Finding:
    return Finding(id, area, Status.WARN, title, evidence, fix)


def fail(id: str, area: str, title: str, evidence: str, fix: str) -> Finding:
    return Finding(id, area, Status.FAIL, title, evidence, fix)


def worst(findings: list[Finding]) -> Status:
    statuses = {f.status for f in findings}
    for status in (Status.FAIL, Status.WARN):
        if status in statuses:
            return status
    return Status.OK


def unique_ids(findings: list[Finding]) -> list[Finding]:
    """Repeated ids (one per index URL, say) get `.2`, `.3`: JUnit and scripts need each id once."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        count = seen.get(finding.id, 0) + 1
        seen[finding.id] = count
        out.append(
            finding
            if count == 1
            else Finding(
                f"{finding.id}.{count}", finding.area, finding.status, finding.title, finding.evidence, finding.fix
            )
        )
    return out


__all__ = ["Finding", "Status", "fail", "ok", "unique_ids", "warn", "worst"]
