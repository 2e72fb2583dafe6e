"""pydantic's validation errors as profile issues: the YAML line of each key, what was expected in words, and the
closest valid key for a typo ("unknown key 'pakages'; did you mean 'packages'?")."""

from __future__ import annotations

import difflib
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from llmenv.errors import ProfileIssue
from llmenv.profiles.model import ProfileFile
from llmenv.profiles.yamlmap import ParsedYaml, dotted

_EXPECTED = {
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "float_type": "a number",
    "float_parsing": "a number",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
}


def issue_from_pydantic(file: str, parsed: ParsedYaml, err: Any) -> ProfileIssue:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kind = err["type"]
    if loc and loc[-1] == "[key]":
        # pydantic reports a bad dict key as loc (..., key, "[key]"): it is an unknown key, not a bad value.
        loc = loc[:-1]
        expected = err.get("ctx", {}).get("expected", "")
        return ProfileIssue(
            file, parsed.line_of(loc), dotted(loc), f"unknown key '{loc[-1]}': expected one of {expected}"
        )
    line = parsed.line_of(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        valid = _fields_at(loc[:-1])
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        fix = f"did you mean '{close[0]}'?" if close else f"valid keys here: {', '.join(valid)}"
        return ProfileIssue(file, line, dotted(loc), f"unknown key '{key}'", fix)
    if kind == "missing":
        return ProfileIssue(file, parsed.line_of(loc[:-1]), dotted(loc), f"missing required key '{loc[-1]}'", None)
    found = _describe(err.get("input"))
    if kind == "string_type" and isinstance(err.get("input"), (int, float)) and not isinstance(err.get("input"), bool):
        # `python: 3.10` is the float 3.1 to YAML: the fix is quotes, not another value.
        return ProfileIssue(
            file,
            line,
            dotted(loc),
            f"expected a string, found {found}",
            "put the value in quotes (YAML reads an unquoted 3.10 as the number 3.1)",
        )
    if kind in _EXPECTED:
        return ProfileIssue(file, line, dotted(loc), f"expected {_EXPECTED[kind]}, found {found}")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return ProfileIssue(file, line, dotted(loc), f"expected one of {expected}, found {found}")
    if kind == "value_error":
        message = str(err.get("ctx", {}).get("error", err["msg"]))
        return ProfileIssue(file, line, dotted(loc), message)
    if kind == "string_pattern_mismatch" and loc == ("name",):
        return ProfileIssue(
            file,
            line,
            "name",
            f"expected a lowercase name of letters, digits, '.', '_' or '-', found {found}",
        )
    if kind == "string_pattern_mismatch" and loc[:2] == ("checks", "imports"):
        return ProfileIssue(
            file,
            line,
            dotted(loc),
            f"expected a module name such as 'torch', or 'from MODULE import NAME', found {found}",
        )
    return ProfileIssue(file, line, dotted(loc), f"{err['msg'][0].lower()}{err['msg'][1:]}, found {found}")


def _fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """Names of the keys valid at `loc`, walking the model classes the way pydantic walked the data."""
    model: Any = ProfileFile
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        info = model.model_fields.get(part)
        if info is None:
            # A dict key (like 'cuda' under accelerators): step into the dict's value type.
            continue
        model = _model_in(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) is dict:
        return _model_in(get_args(annotation)[1])
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
    }.get(type(value), type(value).__name__)


def _describe(value: Any) -> str:
    if isinstance(value, (dict, list)) or value is None:
        return kind_of(value)
    text = repr(value)
    return f"{kind_of(value)} {text if len(text) < 60 else text[:57] + '...'}"


__all__ = ["issue_from_pydantic", "kind_of"]
