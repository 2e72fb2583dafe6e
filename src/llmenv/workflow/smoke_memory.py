"""What setup remembers about an env's smoke test, in its generation: whether it passed (on real or synthetic
data) and the `--data` it was given.

Why: a re-run with nothing changed must return at once (README). Training again proves nothing new about the same
generation, synthetic data included (with no IMDB reachable it used to train 16-22 s on every re-run); and a person
who once said where their IMDB copy is should not have to say it again, as with `--mirror`. A new generation (the
env changed) has no record, so its smoke test runs; `--data` is carried over to it from the generation before.
`setup --smoke` (or `--force`) runs the test again; a different `--data` does too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from llmenv.execute.smoke_record import RECORD  # beside the stamp, in the generation it judged


@dataclass(frozen=True)
class SmokeMemory:
    passed: bool
    synthetic: bool
    data: Path | None  # the --data the user gave (absolute); None when setup found the data itself


def recall(generation: Path | None) -> SmokeMemory | None:
    """The record in a generation, or None (none yet, unreadable, or not a record). A record from before `data`
    was remembered is read as what it was: a pass on real data (only those were written)."""
    if generation is None:
        return None
    from llmenv.door import files
    from llmenv.door.jsondoc import parse_json
    from llmenv.errors import InputError

    path = generation / RECORD
    try:  # the door: a regular file, bounded, of bounded depth; an unusable record is no record
        raw = parse_json(files.read_text(path, files.STAMP), str(path), files.STAMP)
    except InputError:
        return None
    if not isinstance(raw, dict):
        return None
    dataset = raw.get("dataset")  # SmokeResult.to_dict()'s key for the data it trained on
    synthetic = bool(dataset.get("synthetic")) if isinstance(dataset, dict) else False
    given = raw.get("requested_data")
    return SmokeMemory(
        passed=raw.get("passed", True) is True,
        synthetic=synthetic,
        data=Path(given) if isinstance(given, str) and given else None,
    )


def data_to_use(given: Path | None, *memories: SmokeMemory | None) -> tuple[Path | None, str | None]:
    """The --data for this run: the one given, else the first remembered one that still exists. Second value: a
    line for the user when a remembered copy is used or has gone."""
    if given is not None:
        return given, None
    for memory in memories:
        if memory is not None and memory.data is not None:
            if memory.data.exists():
                return memory.data, f"smoke data: {memory.data} (remembered from an earlier --data)"
            return None, f"smoke data: {memory.data} (remembered from an earlier --data) is gone; looking elsewhere"
    return None, None


def why_run(memory: SmokeMemory | None, data: Path | None, *, asked: bool) -> str | None:
    """None when this generation's smoke test need not run again, else why it runs."""
    if asked:
        return "asked for (--smoke or --force)"
    if memory is None:
        return "not run on this environment yet"
    if not memory.passed:
        return "it failed last time"
    given = os.path.abspath(data) if data is not None else None
    remembered = str(memory.data) if memory.data is not None else None
    if given is not None and given != remembered:
        return f"new data: {given}"
    return None


__all__ = ["RECORD", "SmokeMemory", "data_to_use", "recall", "why_run"]
