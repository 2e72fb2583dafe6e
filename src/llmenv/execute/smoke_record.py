"""Writing the smoke test's record into the generation it judged (read by workflow/smoke_memory.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RECORD = "llmenv-smoke.json"


def remember(generation: Path, result: dict[str, Any], data: Path | None) -> None:
    """Write the record atomically (a Ctrl-C never leaves half a record that would read as a pass), with the
    `--data` it was given as an absolute path (remembered for later runs)."""
    record = {**result, "requested_data": os.path.abspath(data) if data is not None else None}
    tmp = generation / f".{RECORD}.tmp"
    tmp.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(tmp, generation / RECORD)


__all__ = ["RECORD", "remember"]
