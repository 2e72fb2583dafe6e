#!/usr/bin/env python3
"""Regenerate the table in docs/reliability.md from the JUnit XML of the last run of tests/hostile.

    .venv-dev/bin/python -m pytest tests/hostile --junitxml=build/hostile.xml
    .venv-dev/bin/python scripts/reliability_table.py build/hostile.xml [--before build/hostile-before.xml] \
        --write docs/reliability.md

One row per test function: what it tries (the first sentence of its docstring, read from the test file), how many
cases it runs (its parametrizations), and how they ended. With --before (the same suite run against older code,
e.g. `PYTHONPATH=<old checkout>/src`), a column says how many of those cases failed there. Only the part between
the two marker comments is replaced; the rest of the document is written by hand.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- reliability-table:start -->"
END = "<!-- reliability-table:end -->"


@dataclass
class Row:
    module: str
    function: str
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed_before: int | None = None

    @property
    def count(self) -> int:
        return sum(self.outcomes.values())


def outcome(case: ET.Element) -> str:
    for child in case:
        if child.tag in ("failure", "error"):
            return "failed"
        if child.tag == "skipped":
            return "skipped"
    return "passed"


def read(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(module, function) -> {case name: outcome} from one JUnit file."""
    cases: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for case in ET.parse(path).iter("testcase"):
        module = case.get("classname", "")
        name = case.get("name", "")
        if module and not module.startswith("tests.hostile"):
            continue  # a whole-suite run (scripts/test --junitxml=...): only the hostile cases make the table
        if not module:  # a collection error: pytest names the module, with no class
            cases[("", name)][name] = outcome(case)
            continue
        function = name.split("[", 1)[0]
        cases[(module, function)][name] = outcome(case)
    return cases


def first_sentence(module: str, function: str) -> str:
    """The first sentence of the test's docstring, else its name in words."""
    path = ROOT / (module.replace(".", "/") + ".py")
    doc = None
    if path.is_file():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name == function:
                doc = ast.get_docstring(node)
                break
    if not doc:
        return function.removeprefix("test_").replace("_", " ")
    text = " ".join(doc.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence.rstrip(".")


def rows(after: Path, before: Path | None) -> list[Row]:
    now = read(after)
    then = read(before) if before else None
    result = []
    for (module, function), cases in sorted(now.items()):
        if not module:
            continue  # collection errors of this run show up as failed cases of nothing; pytest reports them
        row = Row(module, function)
        for state in cases.values():
            row.outcomes[state] += 1
        if then is not None:
            old = then.get((module, function), {})
            # A module that could not even be collected against the old code failed there as a whole; a case the
            # old run did not have (added later) is not counted either way.
            broken = ("", module) in then
            known = [name for name in cases if name in old or broken]
            row.failed_before = sum(1 for name in known if broken or old[name] == "failed") if known else None
        result.append(row)
    return result


def table(all_rows: list[Row], source: str, before: bool) -> str:
    head = "| area | what is tried | cases | passed | failed | skipped |" + (" failed before |" if before else "")
    rule = "| --- | --- | ---: | ---: | ---: | ---: |" + (" ---: |" if before else "")
    lines = [head, rule]
    for row in all_rows:
        area = row.module.rsplit(".", 1)[-1].removeprefix("test_")
        cells = [
            area,
            first_sentence(row.module, row.function).replace("|", "\\|"),
            str(row.count),
            str(row.outcomes.get("passed", 0)),
            str(row.outcomes.get("failed", 0)),
            str(row.outcomes.get("skipped", 0)),
        ]
        if before:
            cells.append("new" if row.failed_before is None else str(row.failed_before))
        lines.append("| " + " | ".join(cells) + " |")
    total = sum(r.count for r in all_rows)
    passed = sum(r.outcomes.get("passed", 0) for r in all_rows)
    failed = sum(r.outcomes.get("failed", 0) for r in all_rows)
    skipped = sum(r.outcomes.get("skipped", 0) for r in all_rows)
    summary = f"**{total} hostile cases**: {passed} passed, {failed} failed, {skipped} skipped"
    if before:
        compared = [r for r in all_rows if r.failed_before is not None]
        summary += (
            f"; of the {sum(r.count for r in compared)} that existed in the earlier run, "
            f"{sum(r.failed_before or 0 for r in compared)} failed on the code before the fixes"
        )
    return "\n".join([f"{summary} (from `{source}`).", "", *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("junit", type=Path, help="JUnit XML of the last tests/hostile run")
    parser.add_argument("--before", type=Path, help="JUnit XML of the same suite against older code")
    parser.add_argument("--write", type=Path, help="replace the marked table in this Markdown file")
    args = parser.parse_args(argv)
    text = table(rows(args.junit, args.before), args.junit.name, args.before is not None)
    if args.write is None:
        print(text)
        return 0
    document = args.write.read_text(encoding="utf-8")
    if START not in document or END not in document:
        print(f"{args.write}: the markers {START} and {END} are missing", file=sys.stderr)
        return 2
    head, rest = document.split(START, 1)
    _, tail = rest.split(END, 1)
    args.write.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
