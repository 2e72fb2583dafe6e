"""scripts/reliability_table.py: rows per test function, counts, the before column, and the in-place rewrite."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "reliability_table.py"

AFTER = """<testsuites><testsuite>
<testcase classname="tests.hostile.test_input" name="test_validate_hostile_profile[a]"/>
<testcase classname="tests.hostile.test_input" name="test_validate_hostile_profile[b]"/>
<testcase classname="tests.hostile.test_host_faults" name="test_disk_full_on_a_new_env"><skipped message="root"/>
</testcase>
</testsuite></testsuites>"""
BEFORE = """<testsuites><testsuite>
<testcase classname="tests.hostile.test_input" name="test_validate_hostile_profile[a]"><failure message="x"/>
</testcase>
<testcase classname="tests.hostile.test_input" name="test_validate_hostile_profile[b]"/>
</testsuite></testsuites>"""


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reliability_table", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_table_rewrites_only_the_marked_part(tmp_path: Path) -> None:
    script = _script()
    (tmp_path / "after.xml").write_text(AFTER)
    (tmp_path / "before.xml").write_text(BEFORE)
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Title\n\n{script.START}\nold\n{script.END}\n\nhand-written\n")
    args = [str(tmp_path / "after.xml"), "--before", str(tmp_path / "before.xml"), "--write", str(doc)]
    assert script.main(args) == 0
    text = doc.read_text()
    assert text.startswith("# Title") and text.rstrip().endswith("hand-written") and "old" not in text
    assert (
        "**3 hostile cases**: 2 passed, 0 failed, 1 skipped; of the 2 that existed in the earlier run, 1 failed" in text
    )
    row = next(line for line in text.splitlines() if line.startswith("| input |"))
    assert row.split("|")[3:8] == [" 2 ", " 2 ", " 0 ", " 0 ", " 1 "]
    new = next(line for line in text.splitlines() if line.startswith("| host_faults |"))
    assert new.rstrip().endswith("| new |")
    assert "`git log`" not in text
