"""The door is the only way in: no module parses JSON by itself (DESIGN.md section 7d).

A new reader that called `json.loads` on a file or a program's answer would bring back the bugs the door fixed
(RecursionError on deep nesting, NaN printed back as bare `NaN`, a FIFO that blocks), so this test names it."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "llmenv"
ALLOWED = {
    "door/jsondoc.py": "the door itself",
    "execute/bundle_build.py": "llmenv's own installed metadata (direct_url.json)",
}
PAYLOADS = "verify/payloads/"  # run inside the target env without llmenv: they cannot import the door


def test_no_module_parses_json_outside_the_door() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel in ALLOWED or rel.startswith(PAYLOADS):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\bjson\.loads?\(", line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "read JSON through llmenv.door.jsondoc (parse_json, answer):\n" + "\n".join(offenders)
