"""JSON from outside: bounded depth, finite numbers only, no duplicate keys, and typed fields with located errors.

Python's `json` accepts NaN and Infinity (which it would then print back as bare `NaN`, not JSON), keeps the last
of two equal keys (so a manifest could show one hash to a reader and another to llmenv), and recurses until
RecursionError. Each of these is refused here with the file, line or key path, and a fix.
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from llmenv.door.files import Kind
from llmenv.errors import InputError, short_path

MAX_DEPTH = 32  # llmenv's own documents nest at most 6 levels


class _Refused(ValueError):
    pass


def _constant(name: str) -> NoReturn:
    raise _Refused(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:20]} is too large to be finite")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"the key {json.dumps(key[:60])} appears twice in one object")
        out[key] = value
    return out


def depth_of(value: Any) -> int:
    """Nesting depth, iteratively (a recursive walk would hit the recursion limit on exactly the hostile input)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


def parse_json(text: str, source: str, kind: Kind, max_depth: int = MAX_DEPTH) -> Any:
    """The document, or an InputError naming file:line and what is wrong (never quoting the text)."""
    shown = short_path(source)
    try:
        data = json.loads(
            text.removeprefix("\ufeff"),
            parse_constant=_constant,
            parse_float=_finite,
            object_pairs_hook=_unique,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"the {kind.name} is not valid JSON ({exc.msg}, column {exc.colno})",
            file=shown,
            line=exc.lineno,
            fix=kind.fix,
        ) from None
    except RecursionError:
        raise InputError(f"the {kind.name} is nested too deeply", file=shown, fix=kind.fix) from None
    except ValueError as exc:  # _Refused, and integers with more digits than Python converts
        raise InputError(f"the {kind.name} is not usable JSON: {exc}", file=shown, fix=kind.fix) from None
    if depth_of(data) > max_depth:
        raise InputError(
            f"the {kind.name} is nested deeper than {max_depth} levels", file=shown, fix=kind.fix
        ) from None
    return data


def answer(text: str, source: str) -> Any | None:
    """Another program's JSON answer (a payload's last line, a smoke event): the document, or None when it is not
    one llmenv can use (too long, too deep, NaN); such an answer is "unexpected", never a crash."""
    from llmenv.door.files import ANSWER

    if len(text) > ANSWER.limit:
        return None
    try:
        return parse_json(text, source, ANSWER)
    except InputError:
        return None


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


class Fields:
    """Typed access to one JSON object; a missing key or a wrong type is an InputError naming file and key path."""

    def __init__(self, raw: Any, source: str, kind: Kind, path: str = "") -> None:
        self.source, self.kind, self.path = source, kind, path
        if not isinstance(raw, dict):
            self.fail("", f"expected an object, found {_type_name(raw)}")
        self.raw: dict[str, Any] = raw

    def fail(self, key: str, what: str) -> NoReturn:
        at = ".".join(p for p in (self.path, key) if p)
        raise InputError(f"{what} in the {self.kind.name}", file=short_path(self.source), key=at, fix=self.kind.fix)

    def _get(self, key: str, types: tuple[type, ...], name: str, optional: bool) -> Any:
        if key not in self.raw or (optional and self.raw[key] is None):
            if optional:
                return None
            self.fail(key, "this key is missing")
        value = self.raw[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            self.fail(key, f"expected {name}, found {_type_name(value)}")
        return value

    def text(self, key: str) -> str:
        return str(self._get(key, (str,), "a string", False))

    def text_or_none(self, key: str) -> str | None:
        value = self._get(key, (str,), "a string", True)
        return None if value is None else str(value)

    def integer(self, key: str) -> int:
        return int(self._get(key, (int,), "a whole number", False))

    def items(self, key: str, optional: bool = False) -> list[Any]:
        value = self._get(key, (list,), "a list", optional)
        return list(value or [])

    def strings(self, key: str, optional: bool = False) -> list[str]:
        values = self.items(key, optional)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                self.fail(f"{key}[{index}]", f"expected a string, found {_type_name(value)}")
        return values

    def child(self, key: str, value: Any | None = None) -> Fields:
        inner = self.raw.get(key) if value is None else value
        return Fields(inner, self.source, self.kind, ".".join(p for p in (self.path, key) if p))


__all__ = ["MAX_DEPTH", "Fields", "answer", "depth_of", "parse_json"]
