"""User mirror sets from `<llmenv config dir>/mirrors.yaml`, validated with file:line errors, plus the built-ins.

The file maps a set name to its roles, e.g. `campus: {pypi: "https://host/simple", pytorch:
"https://host/whl/{variant}", pytorch_format: flat}`. A user set shadows a built-in of the same name.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from llmenv.door.files import MIRRORS, read_text_if_present
from llmenv.door.urls import host_problem
from llmenv.errors import UsageError
from llmenv.mirrors.sets import BUILTIN, RESERVED, ROLES, MirrorSet
from llmenv.profiles.yamlmap import parse_yaml

MIRRORS_FILE = "mirrors.yaml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_KEYS = (*ROLES, "pytorch_format", "description")


def mirrors_file() -> Path:
    from llmenv.profiles.locate import config_dir

    return config_dir() / MIRRORS_FILE


def _bad(where: str, what: str, fix: str) -> UsageError:
    return UsageError(what, where=where, fix=fix)


def parse_mirrors(text: str, source: str) -> list[MirrorSet]:
    """mirrors.yaml text -> sets; the first problem raises one paragraph naming file:line and key."""
    parsed = parse_yaml(text)
    if parsed.problems:
        p = parsed.problems[0]
        where = f"{source}:{p.line}" if p.line else source
        raise _bad(where, p.message, p.fix or f"correct {source}")
    data: Any = parsed.data
    if data is None:
        return []
    example = 'campus: {pypi: "https://mirror.example/simple"}'
    if not isinstance(data, dict):
        raise _bad(f"{source}:{parsed.line_of(())}", "expected a mapping of set names to roles", f"write {example}")
    sets = []
    for name, roles in data.items():
        where = f"{source}:{parsed.line_of((name,))}"
        if not _NAME.match(str(name)) or name in RESERVED:
            # Quoted only when it could be a set's name: a file that is not a mirrors file (a link to a system
            # file, someone else's configuration) must not have its lines printed.
            shown = f"'{name}'" if _NAME.match(str(name)) else "the key on this line"
            raise _bad(
                where,
                f"{shown} cannot name a mirror set",
                "use lower-case letters, digits, '.', '_' or '-', and none of " + ", ".join(RESERVED),
            )
        if not isinstance(roles, dict):
            raise _bad(where, f"set '{name}' must map roles to URLs", f"write {example}")
        urls: dict[str, str] = {}
        for key, value in roles.items():
            at = f"{source}:{parsed.line_of((name, key))}"
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), _KEYS, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                shown = f"'{name}.{key}'" if _NAME.match(str(key)) else f"in set '{name}'"
                raise _bad(at, f"unknown key {shown}", f"{hint}roles are {', '.join(ROLES)}")
            if not isinstance(value, str):
                raise _bad(at, f"'{name}.{key}' must be a string", f'quote it: {key}: "..."')
            if key == "pytorch_format":
                if value not in ("index", "flat"):
                    raise _bad(
                        at,
                        f"'{name}.pytorch_format' is neither index nor flat",
                        "use index (PEP 503) or flat (find-links)",
                    )
                continue
            if key == "description":
                continue
            scheme = urlsplit(value).scheme
            if scheme not in ("http", "https", "file"):
                shown = f" (its scheme is '{scheme}')" if scheme and _NAME.match(scheme) else ""
                raise _bad(at, f"'{name}.{key}' is not an http(s) or file URL{shown}", "give a full URL")
            problem = host_problem(value)
            if problem is not None:
                raise _bad(at, f"'{name}.{key}' cannot be used: {problem}", "correct the URL's host name")
            urls[key] = value
        if not urls:
            raise _bad(where, f"set '{name}' names no role", f"give at least one of {', '.join(ROLES)}")
        sets.append(
            MirrorSet(
                str(name),
                urls,
                str(roles.get("pytorch_format", "index")),
                str(roles.get("description", "")),
                origin=source,
            )
        )
    return sets


def known_sets(path: Path | None = None) -> dict[str, MirrorSet]:
    """Built-in sets, then the user's (which win by name). A missing file means no user sets."""
    found = {s.name: s for s in BUILTIN}
    file = path or mirrors_file()
    # The door: a regular file of at most 1 MiB, strict UTF-8 (a FIFO, /dev/zero or a 50 MB file is refused).
    text = read_text_if_present(file, MIRRORS)
    if text is not None:
        found.update({s.name: s for s in parse_mirrors(text, str(file))})
    return found


def find_set(name: str, sets: dict[str, MirrorSet], where: str) -> MirrorSet:
    if name in sets:
        return sets[name]
    close = difflib.get_close_matches(name, list(sets), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UsageError(
        f"unknown mirror set '{name}'",
        where=where,
        fix=f"{hint}use auto, upstream or one of {', '.join(sorted(sets))} (user sets go in {mirrors_file()})",
    )


__all__ = ["MIRRORS_FILE", "find_set", "known_sets", "mirrors_file", "parse_mirrors"]
