"""Emitters that quote: the only way a value (a file name, `--llmenv-spec`, a profile reference, a probed driver
version) gets into a generated file. Each language has its own rules, and a value that its language cannot carry
as data is refused with a usage error rather than written in a form that would run or change the file's structure.

- shell (bash, Slurm batch scripts): `shell_word` single-quotes every value (`shlex.quote`), so `$(...)`, a
  backquote, a newline or `;` stay data; NUL cannot be an argument and is refused.
- Dockerfile: values go into exec-form JSON arrays (`RUN ["prog", "arg"]`), which Docker hands to the program
  without a shell and without variable substitution. `COPY` is different: Docker expands `$VAR`, removes quotes
  and backslashes and matches patterns in its sources and destination even in JSON form, so `docker_copy_word`
  refuses a name holding one of those characters or a control character (no escape is read alike by Docker and
  the linters).
- Comments (Dockerfile, YAML, shell): `comment` escapes control characters so a newline cannot end the comment and
  start an instruction or key.
- YAML (GitHub workflows): `yaml_document` writes with PyYAML's safe serializer (the value is quoted as YAML needs),
  and `github_value` keeps GitHub's `${{ }}` expressions out of values, since GitHub evaluates them in every
  string of a workflow, `env:` values included.

Exporters (Dockerfile, workflow, Slurm) build their text from these; none formats a value into code itself."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

_CONTROL = re.compile(r"[\x00-\x1f\x7f\x80-\x9f\u2028\u2029]")
_COPY_SPECIAL = re.compile(r"""[*?\[$'"\\]""")


def _refuse(what: str, value: str, language: str, reason: str, fix: str) -> None:
    from llmenv.errors import UsageError

    raise UsageError(
        f"{what} {escape_controls(value)!s} cannot be written into a {language}: {reason}", where=what, fix=fix
    )


def escape_controls(text: str) -> str:
    """Control characters as visible escapes (`\\n`, `\\x1b`), so one value stays on one line."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_NOT_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text an XML 1.0 document can hold (JUnit reports): characters XML forbids (most control characters, lone
    surrogates) and CR (which parsers turn into LF) as visible escapes; ElementTree does the `<&"` escaping."""
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def comment(text: str, marker: str = "#") -> str:
    """A one-line comment whatever `text` holds."""
    return f"{marker} {escape_controls(text)}".rstrip()


def shell_word(value: str, what: str = "a value") -> str:
    """One shell word that the shell reads back as exactly `value`."""
    if "\x00" in value:
        _refuse(
            what, value, "shell script", "a NUL byte cannot be passed to a program", f"remove the NUL byte from {what}"
        )
    return shlex.quote(value)


def shell_command(args: Sequence[str], what: str = "a value") -> str:
    """A command line from an argument list; every word quoted where it needs it."""
    return " ".join(shell_word(a, what) for a in args)


def shell_assignment(name: str, value: str, what: str = "a value") -> str:
    """`NAME='value'` for a variable name llmenv chose."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a shell variable name: {name!r}")  # a bug in llmenv, never user input
    return f"{name}={shell_word(value, what)}"


def docker_exec(instruction: str, args: Sequence[str], what: str = "a value") -> str:
    """`RUN ["prog", "arg", ...]` (or CMD/ENTRYPOINT): JSON with every non-ASCII and control character escaped, so
    the instruction stays on one line and Docker gives the program exactly these arguments."""
    for arg in args:
        if "\x00" in arg:
            _refuse(
                what, arg, "Dockerfile", "a NUL byte cannot be passed to a program", f"remove the NUL byte from {what}"
            )
    # A backslash as \\u005c and a quote as \\u0022 (not \\\\ and \\"): the same string for Docker's JSON reader, and
    # hadolint (whose reader takes `"\\\\"]` for shell form and splits at `\\"`) lints the line as what it is.
    return f"{instruction} {_json_words(args)}"


def _json_words(words: Sequence[str]) -> str:
    return json.dumps(list(words)).replace("\\\\", "\\u005c").replace('\\"', "\\u0022")


def docker_copy_word(value: str, what: str = "a path") -> str:
    """A COPY source or destination, or a usage error. Docker runs its own word processing (`$VAR`, quotes,
    backslash escapes, glob patterns) over COPY words even in JSON form, and linters read them differently, so a
    name holding one of those characters, or a control character, is refused rather than escaped."""
    if _CONTROL.search(value):
        _refuse(
            what,
            value,
            "Dockerfile",
            "COPY cannot name a file whose name holds a control character (a newline, a tab)",
            "rename the file so its name has no control characters, then export again",
        )
    if _COPY_SPECIAL.search(value):
        _refuse(
            what,
            value,
            "Dockerfile",
            "COPY reads $ as a variable, quotes and backslashes as quoting, and * ? [ as a pattern that may match "
            "other files",
            "rename the file so its name has none of $ ' \" \\ * ? [, then export again",
        )
    return value


def docker_copy(sources: Sequence[str], destination: str, what: str = "a path") -> str:
    """`COPY ["src", ..., "dest"]` in JSON form (names with spaces stay one word)."""
    words = [docker_copy_word(s, what) for s in sources] + [docker_copy_word(destination, what)]
    # Nothing in the words needs a JSON escape (what would is refused), so none is written: hadolint's COPY reader
    # does not decode \\uXXXX.
    return f"COPY {json.dumps(words, ensure_ascii=False)}"


_EXPRESSION = "${{"


def github_value(value: str) -> str:
    """A string GitHub Actions reads back as exactly `value`: each `${{` (which GitHub would evaluate as an
    expression, in any value, `env:` included) is written as the expression `${{ '$' }}` followed by `{{`, whose
    result is the literal text and is not evaluated again."""
    return value.replace(_EXPRESSION, "${{ '$' }}{{")


def github_static(value: str, what: str = "a value") -> str:
    """A value for a field where GitHub allows no expression at all (the workflow's top-level `name`): `${{` has
    no escape there, so it is refused."""
    if _EXPRESSION in value:
        _refuse(what, value, "GitHub workflow", "this field cannot hold '${{'", f"remove '${{{{' from {what}")
    return value


class _Dumper(yaml.SafeDumper):
    """The safe serializer; multi-line strings (the steps' scripts) as literal blocks, so the file stays readable."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data and not _CONTROL.search(data.replace("\n", "")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _represent_str)


def yaml_document(data: Mapping[str, Any], header: Sequence[str] = ()) -> str:
    """A YAML document from plain data, with one-line comments on top. Keys keep their order."""
    body = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=False, width=120)
    return "".join(comment(line) + "\n" for line in header) + body


__all__ = [
    "comment",
    "docker_copy",
    "docker_copy_word",
    "docker_exec",
    "escape_controls",
    "github_static",
    "github_value",
    "shell_assignment",
    "shell_command",
    "shell_word",
    "xml_text",
    "yaml_document",
]
