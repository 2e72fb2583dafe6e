"""`llmenv report merge`: several nodes' `doctor --json` outputs as one table of what differs, node by node.

An admin of a cluster sets up the same bundle on every node and collects each node's doctor report; the question
is never "what does node 17 look like" but "which nodes are not like the others, and how". So each report is
flattened to comparable keys (the verdict, each finding's status, the host facts that matter), the most common
value of each key is the baseline, and every node that departs from it is named with its value. Volatile facts
(timings, free memory and disk, paths that differ by design) are left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv import __version__
from llmenv.door.files import REPORT, read_text
from llmenv.door.jsondoc import Fields, parse_json
from llmenv.errors import UsageError
from llmenv.report.nodes import NodeState, node_state

MERGE_SCHEMA = "llmenv.merge/1"
DOCTOR = "llmenv.doctor/1"
SETUP = "llmenv.setup/1"
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


ERROR = "llmenv.error/1"  # what a command prints with --json when it fails before its own report


def _read(file: Path, accepted: tuple[str, ...], fix: str) -> dict[str, Any]:
    """The door: a regular file (a FIFO or /dev/zero is refused, not read), 16 MiB, strict UTF-8, JSON without NaN
    or Infinity and nested at most 32 deep, and the parts merge reads typed; every error names the file and key
    and quotes none of its content."""
    report = parse_json(read_text(file, REPORT), str(file), REPORT)
    if not isinstance(report, dict) or report.get("schema") not in accepted:
        found = report.get("schema") if isinstance(report, dict) else type(report).__name__
        shown = repr(found)[:60] if isinstance(found, str) and found.startswith("llmenv.") else "missing or other"
        raise UsageError(
            f"{file} is not an llmenv {accepted[0].split('.')[1].split('/')[0]} report "
            f"(schema {shown}, expected {accepted[0]!r})",
            where=str(file),
            fix=fix,
        )
    if report.get("schema") == DOCTOR:
        _check_shape(report, str(file))
    return report


def load_reports(files: list[Path]) -> dict[str, dict[str, Any]]:
    """node name (the file's stem, or its path when stems repeat) -> parsed doctor report, or the error document
    a doctor that could not run printed instead (that node fails)."""
    stems = Counter(f.stem for f in files)
    out: dict[str, dict[str, Any]] = {}
    for file in files:
        report = _read(
            file, (DOCTOR, ERROR), "on each node run `llmenv doctor --json > NODE.json`, then merge those files"
        )
        out[file.stem if stems[file.stem] == 1 else str(file)] = report
    return out


def load_setups(folder: Path, nodes: list[str]) -> dict[str, dict[str, Any] | str]:
    """Each node's `setup --json` (folder/NODE.json), or why there is none: a node whose setup wrote nothing or
    half a document was stopped before it could say why (killed, out of memory, no llmenv there)."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder", where="--setup", fix="name the folder of the nodes' NODE.json")
    out: dict[str, dict[str, Any] | str] = {}
    for node in nodes:
        file = folder / f"{node}.json"
        if not file.is_file() or file.stat().st_size == 0:
            out[node] = "no setup report (the step wrote nothing: see its log)"
            continue
        try:
            out[node] = _read(file, (SETUP, ERROR), "pass the folder of the nodes' `llmenv setup --json` outputs")
        except UsageError as exc:
            out[node] = f"no setup report ({exc.what})"
    return out


def _check_shape(report: dict[str, Any], source: str) -> None:
    """The parts `keys_of` reads must have their types: findings a list of objects with a string id, facts an
    object of objects. A hand-edited or truncated report fails here, naming the key, not later as a bug."""
    fields = Fields(report, source, REPORT)
    for index, finding in enumerate(fields.items("findings", optional=True)):
        item = fields.child(f"findings[{index}]", finding)
        item.text("id")
    facts = fields.child("facts", report.get("facts") or {})
    for name in _FACTS:
        if facts.raw.get(name) is not None:
            facts.child(name)


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
    """Rows over the nodes whose doctor ran; a node with only an error document is in the node lines instead."""
    flat = {node: keys_of(report) for node, report in reports.items() if report.get("schema") == DOCTOR}
    keys = sorted({key for values in flat.values() for key in values}, key=_order)
    rows = []
    for key in keys:
        # A fact one node lacks (no GPU: its `nvidia` is null) reads "-" there, as a null value does, so a GPU
        # node's row says `nvidia.driver  -  gpu07: 550.54.14` rather than a bare `nvidia` row of its own.
        missing = "-" if _order(key)[0] == 2 else "(absent)"
        values = {node: flat[node].get(key, missing) for node in flat}
        # The baseline is the most common value; ties go to the first node's, so the output is stable.
        counts = Counter(values.values())
        top = max(counts.values())
        baseline = next(v for v in values.values() if counts[v] == top)
        rows.append(Row(key, baseline, values))
    return rows


def node_states(
    reports: dict[str, dict[str, Any]],
    setups: dict[str, dict[str, Any] | str] | None = None,
    expected: list[str] | None = None,
) -> list[NodeState]:
    """One per node: the nodes expected (a job's allocation) first, in their order, then any other report's."""
    nodes = list(dict.fromkeys([*(expected or []), *reports]))
    return [node_state(n, reports.get(n), None if setups is None else setups.get(n, "no setup report")) for n in nodes]


def verdict(rows: list[Row], states: list[NodeState]) -> tuple[list[str], list[str]]:
    """(nodes that differ from the others, nodes that fail), each in node order."""
    differ = {node for row in rows for node in row.differs}
    order = [s.node for s in states]
    return [n for n in order if n in differ], [s.node for s in states if s.problem]


def _order(key: str) -> tuple[int, str]:
    rank = 0 if key in _TOP else 1 if key.startswith("finding ") else 2
    return rank, key


def merge_json(reports: dict[str, dict[str, Any]], rows: list[Row], states: list[NodeState]) -> dict[str, Any]:
    """The document, typed (report/documents/merge.py): its JSON Schema is generated from the same model."""
    from llmenv.report.documents.merge import MergeDocument
    from llmenv.report.documents.parts import build

    differing = [row for row in rows if row.differs]
    differ, failed = verdict(rows, states)
    fields = {
        "schema": MERGE_SCHEMA,
        "llmenv_version": __version__,
        "nodes": [s.node for s in states],
        "same": not differing and not failed,
        "keys": len(rows),
        "differences": [{"key": r.key, "baseline": r.baseline, "nodes": r.differs} for r in differing],
        "verdicts": {node: report.get("verdict", "error") for node, report in reports.items()},
        "per_node": {s.node: s.to_dict() for s in states},
        "differ": differ,
        "failed": failed,
    }
    return build(MergeDocument, fields)


def print_merge(rows: list[Row], states: list[NodeState], *, show_all: bool = False) -> None:
    """The nodes, then the keys that differ, then one line naming the nodes that differ or fail. A table in a
    terminal wide enough for one; otherwise plain lines, every value whole."""
    from llmenv.report.console import stdout_console, write_lines

    console = stdout_console()
    differing = [row for row in rows if row.differs]
    differ, failed = verdict(rows, states)
    summary = f"llmenv report merge: {len(states)} nodes, {len(rows)} keys compared, " + (
        f"{len(differing)} differ" if differing else "all nodes agree" if not failed else "no key differs"
    )
    node_rows = [(s.node, s.setup, s.accelerator, s.build, s.driver, s.doctor) for s in states]
    _table(console, [summary], ("NODE", "SETUP", "ACCELERATOR", "BUILD", "DRIVER", "DOCTOR"), node_rows)
    shown = [
        (row.key, row.baseline, "; ".join(f"{node}: {value}" for node, value in row.differs.items()) or "-")
        for row in (rows if show_all else differing)
    ]
    if shown:
        _table(console, [], ("KEY", "MOST NODES", "NODES THAT DIFFER"), shown)
    lines = [f"nodes that differ from the others: {', '.join(differ)}"] if differ else []
    lines += [f"node {s.node} fails: {s.problem}" for s in states if s.problem]
    write_lines(lines or ["every node set up and checked alike"])


def _table(console: Any, before: list[str], header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """Columns as wide as their widest cell but the last, which folds; in a terminal too narrow for that (or a
    pipe), plain lines with every value whole."""
    from llmenv.report.console import table_width, write_lines

    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    if table_width(sum(widths) + 2 * len(widths) + 30) is None:
        cells = [[*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[-1]] for r in [header, *rows]]
        write_lines([*before, *("  ".join(line) for line in cells)])
        return
    from rich.table import Table
    from rich.text import Text

    for line in before:
        console.print(Text(line))
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold", ratio=1 if column == header[-1] else None)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # node values are data, never markup
    console.print(table)


__all__ = [
    "MERGE_SCHEMA",
    "Row",
    "load_reports",
    "load_setups",
    "merge",
    "merge_json",
    "node_states",
    "print_merge",
    "verdict",
]
