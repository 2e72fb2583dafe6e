"""`llmenv report merge`: several nodes' `doctor --json` outputs as one table of what differs, node by node.

An admin of a cluster sets up the same bundle on every node and collects each node's doctor report; the question
is never "what does node 17 look like" but "which nodes are not like the others, and how". So each report is
flattened to comparable keys (the verdict, each finding's status, the host facts that matter), the most common
value of each key is the baseline, and every node that departs from it is named with its value. Volatile facts
(timings, free memory and disk, paths that differ by design) are left out.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.errors import UsageError

MERGE_SCHEMA = "llmenv.merge/1"
DOCTOR = "llmenv.doctor/1"
_TOP = ("verdict", "llmenv_version", "profile", "accelerator")
_FACTS = ("system", "nvidia", "rocm", "apple", "cuda_toolkit")
_VOLATILE = ("seconds", "memory_available_mb", "free_mb", "measured_at", "os_release")


@dataclass(frozen=True)
class Row:
    key: str
    baseline: str
    values: dict[str, str]  # node -> value, every node

    @property
    def differs(self) -> dict[str, str]:
        return {node: value for node, value in self.values.items() if value != self.baseline}


def load_reports(files: list[Path]) -> dict[str, dict[str, Any]]:
    """node name (the file's stem, or its path when stems repeat) -> parsed doctor report."""
    stems = Counter(f.stem for f in files)
    out: dict[str, dict[str, Any]] = {}
    for file in files:
        try:
            report = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise UsageError(
                f"cannot read {file} as JSON ({exc})",
                where=str(file),
                fix="pass files written by `llmenv doctor --json`",
            ) from None
        if not isinstance(report, dict) or report.get("schema") != DOCTOR:
            found = report.get("schema") if isinstance(report, dict) else type(report).__name__
            raise UsageError(
                f"{file} is not an llmenv doctor report (schema {found!r}, expected {DOCTOR!r})",
                where=str(file),
                fix="on each node run `llmenv doctor --json > NODE.json`, then merge those files",
            )
        out[file.stem if stems[file.stem] == 1 else str(file)] = report
    return out


def _flatten(prefix: str, value: Any, into: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in _VOLATILE:
                _flatten(f"{prefix}.{key}", inner, into)
    elif isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        into[prefix] = ", ".join(sorted(str(v) for v in value)) or "-"
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(f"{prefix}[{index}]", inner, into)
    else:
        into[prefix] = "-" if value is None else str(value)


def keys_of(report: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in _TOP:
        out[key] = str(report.get(key))
    for finding in report.get("findings") or []:
        if isinstance(finding, dict) and "id" in finding:
            out[f"finding {finding['id']}"] = str(finding.get("status"))
    facts = report.get("facts") or {}
    for name in _FACTS:
        fact = facts.get(name)
        if isinstance(fact, dict):
            _flatten(name, fact.get("value"), out)
    return out


def merge(reports: dict[str, dict[str, Any]]) -> list[Row]:
    flat = {node: keys_of(report) for node, report in reports.items()}
    keys = sorted({key for values in flat.values() for key in values}, key=_order)
    rows = []
    for key in keys:
        values = {node: flat[node].get(key, "(absent)") for node in flat}
        # The baseline is the most common value; ties go to the first node's, so the output is stable.
        counts = Counter(values.values())
        top = max(counts.values())
        baseline = next(v for v in values.values() if counts[v] == top)
        rows.append(Row(key, baseline, values))
    return rows


def _order(key: str) -> tuple[int, str]:
    rank = 0 if key in _TOP else 1 if key.startswith("finding ") else 2
    return rank, key


def merge_json(reports: dict[str, dict[str, Any]], rows: list[Row]) -> dict[str, Any]:
    differing = [row for row in rows if row.differs]
    return {
        "schema": MERGE_SCHEMA,
        "llmenv_version": __version__,
        "nodes": list(reports),
        "same": not differing,
        "keys": len(rows),
        "differences": [{"key": r.key, "baseline": r.baseline, "nodes": r.differs} for r in differing],
        "verdicts": {node: report.get("verdict") for node, report in reports.items()},
    }


def print_merge(reports: dict[str, dict[str, Any]], rows: list[Row], *, show_all: bool = False) -> None:
    """A table in a terminal wide enough for one; otherwise one line per key, every node's value whole."""
    from llmenv.report.console import stdout_console, table_width, write_lines

    console = stdout_console()
    differing = [row for row in rows if row.differs]
    summary = f"llmenv report merge: {len(reports)} nodes, {len(rows)} keys compared, " + (
        f"{len(differing)} differ" if differing else "all nodes agree"
    )
    shown = [
        (row.key, row.baseline, "; ".join(f"{node}: {value}" for node, value in row.differs.items()) or "-")
        for row in (rows if show_all else differing)
    ]
    header = ("KEY", "MOST NODES", "NODES THAT DIFFER")
    key_w, base_w = (max(len(r[i]) for r in [header, *shown]) for i in (0, 1))
    if table_width(key_w + base_w + 4 + 30) is None:
        lines = [f"{k.ljust(key_w)}  {b.ljust(base_w)}  {o}" for k, b, o in [header, *shown]] if shown else []
        write_lines([summary, *lines])
        return
    from rich.table import Table
    from rich.text import Text

    console.print(summary)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold", ratio=1 if column == header[-1] else None)
    for row in shown:
        table.add_row(*(Text(cell) for cell in row))  # node values are data, never markup
    if shown:
        console.print(table)


__all__ = ["MERGE_SCHEMA", "Row", "load_reports", "merge", "merge_json", "print_merge"]
