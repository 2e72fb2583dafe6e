"""Safe YAML parsing that remembers the line of every key, so errors can say file:line.

PyYAML's `safe_load` forgets positions and silently keeps the last of two duplicate keys; composing the node tree
ourselves keeps both facts. Only the safe constructor ever builds values, so `!!python/...` tags are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

# A profile has hundreds of values; aliases (`*name`) reuse a node without copying it, so a few hundred bytes of
# nested aliases ("billion laughs") expand to billions of values downstream. Walking the tree counts every value
# as it will be seen after expansion, and stops at this bound.
MAX_VALUES = 100_000


class _TooLarge(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


@dataclass(frozen=True)
class YamlProblem:
    line: int | None
    key: str
    message: str
    fix: str | None = None


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


@dataclass(frozen=True)
class ParsedYaml:
    data: Any
    lines: dict[Path_, int]
    problems: tuple[YamlProblem, ...]

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path`: a bad value inside a key points at that key at worst."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# What PyYAML's reader refuses (YAML 1.1 printable set), found first so the message can say line and code.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
MAX_DEPTH = 64  # no profile key is nested more than 4 deep; YAML's own composer recurses past ~300 levels


def parse_yaml(text: str) -> ParsedYaml:
    special = _special_character(text)
    if special is not None:
        return ParsedYaml(None, {}, (special,))
    depth = _bracket_depth(text)
    if depth > MAX_DEPTH:
        return ParsedYaml(None, {}, (_too_deep(None),))
    indented = _deepest_indent(text)
    if indented is not None:
        return ParsedYaml(None, {}, (_too_deep(indented),))
    try:
        # The reader checks every character when it is created: a raw control character fails here.
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        return ParsedYaml(None, {}, (_reader_problem(text, exc),))
    try:
        node = loader.get_single_node()
        if node is None:
            return ParsedYaml(None, {}, ())
        lines: dict[Path_, int] = {}
        problems: list[YamlProblem] = []
        _walk(node, (), lines, problems, [0])
        if problems:
            return ParsedYaml(None, lines, tuple(problems))  # building the data could fail on the same faults
        data = loader.construct_document(node)
    except _TooLarge as exc:
        return ParsedYaml(
            None,
            {},
            (
                YamlProblem(
                    exc.line,
                    "",
                    f"the document expands to more than {MAX_VALUES:,} values through YAML aliases (*name): "
                    "nested aliases multiply, and no profile needs that many",
                    "write the repeated lists out, or nest aliases less deeply",
                ),
            ),
        )
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        tag = str(exc.problem).rsplit(" ", 1)[-1].strip("'") if exc.problem else "tag"
        tag = tag.replace("tag:yaml.org,2002:", "!!")
        return ParsedYaml(
            None,
            {},
            (
                YamlProblem(
                    line,
                    "",
                    f"YAML tag {tag} is not allowed: profiles are plain data and llmenv never builds "
                    "Python objects from them",
                    "remove the tag and write a plain string, number, list or mapping",
                ),
            ),
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "end of stream" in (exc.problem or ""):
            # An unclosed quote or bracket is reported at the end of the file; where it opened is more useful.
            mark = exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        context = f" ({exc.context})" if exc.context else ""
        return ParsedYaml(
            None,
            {},
            (
                YamlProblem(
                    line,
                    "",
                    f"invalid YAML: {problem}{context}",
                    "check indentation and quoting around this line",
                ),
            ),
        )
    except yaml.reader.ReaderError as exc:
        return ParsedYaml(None, {}, (_reader_problem(text, exc),))
    except yaml.YAMLError as exc:
        return ParsedYaml(None, {}, (YamlProblem(None, "", f"invalid YAML: {exc}"),))
    except RecursionError:
        return ParsedYaml(None, {}, (_too_deep(None),))
    except _TooDeep as exc:
        return ParsedYaml(None, {}, (_too_deep(exc.line),))
    finally:
        loader.dispose()
    return ParsedYaml(data, lines, tuple(problems))


def _reader_problem(text: str, exc: yaml.reader.ReaderError) -> YamlProblem:
    """A character YAML does not allow in a file (a raw escape, NUL, a C1 control): say which, and where."""
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return YamlProblem(
        line,
        "",
        f"the file contains the character U+{code:04X}, which YAML does not allow in a file",
        'remove it; in a double-quoted string write it as an escape ("\\e", "\\x1b") if it is really wanted',
    )


def _special_character(text: str) -> YamlProblem | None:
    """NUL and other control characters YAML forbids, located by line (PyYAML's reader would raise outside the
    usual error types, and a NUL cannot be shown in a terminal)."""
    match = _FORBIDDEN.search(text)
    if match is None:
        return None
    code = ord(match.group())
    line = text.count("\n", 0, match.start()) + 1
    name = "a NUL byte (U+0000)" if code == 0 else f"the control character U+{code:04X} (0x{code:02x})"
    return YamlProblem(
        line,
        "",
        f"{name} is not allowed in YAML",
        "delete it (an editor showing invisible characters helps), or write it as an escape in a "
        'double-quoted string, such as "\\x01"',
    )


def _bracket_depth(text: str) -> int:
    """An upper bound of flow nesting ([ and {), cheap enough to run before parsing anything."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


MAX_INDENT = 4 * MAX_DEPTH  # columns: block nesting costs PyYAML time quadratic in depth, so refuse it early


def _deepest_indent(text: str) -> int | None:
    """The first line whose content starts past MAX_INDENT columns, counting `- ` and `? ` markers as indentation
    (`- - - - x` nests as deep as indenting does)."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        column = len(line) - len(stripped)
        while stripped[:2] in ("- ", "? ") and column <= MAX_INDENT:
            column += 2
            stripped = stripped[2:].lstrip(" ")
        if column > MAX_INDENT:
            return number
    return None


def _too_deep(line: int | None) -> YamlProblem:
    return YamlProblem(
        line,
        "",
        f"the document is nested deeper than {MAX_DEPTH} levels (a profile needs at most 4)",
        "flatten the lists and mappings; profiles are shallow: see `llmenv profiles schema`",
    )


def _walk(
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    problems: list[YamlProblem],
    count: list[int],
    depth: int = 0,
) -> None:
    if depth > MAX_DEPTH:
        raise _TooDeep(node.start_mark.line + 1)
    count[0] += 1
    if count[0] > MAX_VALUES:
        raise _TooLarge(node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem(key_node.start_mark.line + 1, dotted(path), "keys must be plain strings"))
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    YamlProblem(
                        line,
                        dotted((*path, key)),
                        f"duplicate key '{key}' (first at line {seen[key]}); YAML would silently keep only "
                        "the last one",
                        "merge the two entries into one",
                    )
                )
                continue
            seen[key] = line
            child = (*path, key)
            lines[child] = line
            _walk(value_node, child, lines, problems, count, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, problems, count, depth + 1)


__all__ = ["MAX_VALUES", "ParsedYaml", "YamlProblem", "dotted", "parse_yaml"]
