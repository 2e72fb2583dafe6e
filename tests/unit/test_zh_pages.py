"""The Chinese pages stay in step with the English ones: every `llmenv` command and flag shown in a code block of
one page is shown in its counterpart, every such flag exists in the CLI, and every link resolves.

Commands are compared as (command path, flag) pairs taken from the code blocks only: prose is translated freely,
commands are not. A page added in one language only fails here until its counterpart exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

from llmenv.cli import app

REPO = Path(__file__).resolve().parents[2]
# (English page, Chinese page): the README and the pages a student in China needs most.
PAIRS = [
    (REPO / "README.md", REPO / "README.zh-CN.md"),
    (REPO / "docs" / "mirrors.md", REPO / "docs" / "zh-CN" / "mirrors.md"),
    (REPO / "docs" / "offline.md", REPO / "docs" / "zh-CN" / "offline.md"),
    (REPO / "docs" / "cluster.md", REPO / "docs" / "zh-CN" / "cluster.md"),
]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
LLMENV = re.compile(r"^\s*(?:RUN\s+)?(?:\S*[/\\])?llmenv(?:\.exe)?(?=\s|$)")
# Terms of the glossary (README.zh-CN.md) and the words the issue found confusing for them.
GLOSSARY = {"方案": "profile", "快照": "generation", "环境": "env", "镜像组": "mirror set"}
CONFUSING = ("配置 `transformers`", "默认配置", "新的一代", "“代”", "上一代", "自己会忽略自己", "最近的可用镜像")


def invocations(path: Path) -> set[tuple[str, str]]:
    """(command path, flag) for every llmenv command line in the page's code blocks ('' as flag: the command)."""
    found: set[tuple[str, str]] = set()
    for _lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
        for raw in body.replace("\\\n", " ").splitlines():
            line = re.sub(r"(^|\s)#\s.*$", "", raw.removeprefix("$ "))
            for piece in re.split(r"&&|\|\||;|\|", line):
                match = LLMENV.search(piece)
                if not match:
                    continue
                try:
                    words = shlex.split(piece[match.end() :], posix=True)
                except ValueError:
                    words = piece[match.end() :].split()
                command = []
                for word in words:
                    if word.startswith("-") or not re.fullmatch(r"[a-z][a-z-]*", word) or len(command) == 2:
                        break
                    command.append(word)
                name = " ".join(command[: _depth(command)])
                found.add((name, ""))
                found |= {(name, w.split("=", 1)[0]) for w in words if re.fullmatch(r"--?[a-zA-Z][\w-]*(=.*)?", w)}
    return found


def _depth(words: list[str]) -> int:
    """How many words name the command: `profiles list` (a group and its command), else one."""
    first = _subcommands(typer.main.get_command(app)).get(words[0]) if words else None
    return 2 if first is not None and _subcommands(first) and len(words) > 1 else min(len(words), 1)


def _subcommands(node: object) -> dict[str, Any]:
    """A group's commands by name ({} for a command): Typer's own click copy, reached without importing it."""
    commands = getattr(node, "commands", None)
    return dict(commands) if isinstance(commands, dict) else {}


def options_of(command: str) -> set[str]:
    node: Any = typer.main.get_command(app)
    for word in command.split():
        child = _subcommands(node).get(word)
        assert child is not None, f"`llmenv {command}` is not a command"
        node = child
    return {opt for param in node.params for opt in (*param.opts, *param.secondary_opts)} | {"-h", "--help"}


@pytest.mark.parametrize(
    "pair", PAIRS, ids=lambda p: p[1].name if p[1].parent.name != "zh-CN" else f"zh-CN/{p[1].name}"
)
def test_same_commands_and_flags(pair: tuple[Path, Path]) -> None:
    english, chinese = (invocations(page) for page in pair)
    assert english, f"no llmenv commands found in {pair[0]}"
    assert chinese - english == set(), f"only in {pair[1].name}: {sorted(chinese - english)}"
    assert english - chinese == set(), f"missing from {pair[1].name}: {sorted(english - chinese)}"


@pytest.mark.parametrize("page", [page for pair in PAIRS for page in pair], ids=lambda p: str(p.relative_to(REPO)))
def test_every_flag_shown_exists(page: Path) -> None:
    for command, flag in invocations(page):
        if command and flag:
            assert flag in options_of(command), f"{page.name}: `llmenv {command} {flag}` is not an option"


@pytest.mark.parametrize("page", [pair[1] for pair in PAIRS], ids=lambda p: p.name)
def test_chinese_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    targets = {t for t in re.findall(r"\]\(([^)#]+)\)", text) if not t.startswith("http")}
    assert targets
    missing = {t for t in targets if not (page.parent / t).exists()}
    assert not missing, f"broken links in {page.name}: {missing}"


def test_chinese_readme_links_the_chinese_pages() -> None:
    text = PAIRS[0][1].read_text(encoding="utf-8")
    assert "docs/zh-CN/mirrors.md" in text and "docs/zh-CN/offline.md" in text


def test_chinese_readme_quick_start_is_for_china() -> None:
    text = PAIRS[0][1].read_text(encoding="utf-8")
    quick = text.split("## 快速上手", 1)[1].split("\n## ", 1)[0]
    assert "llmenv setup --mirror china" in quick
    assert re.search(r"pip install -i https://\S+ \.", quick), "no PyPI mirror for installing llmenv itself"
    # Every mirror of the built-in `china` set is named, and TUNA is never offered for PyTorch wheels.
    for host in ("pypi.tuna.tsinghua.edu.cn", "mirror.nju.edu.cn", "hf-mirror.com", "mirrors.ustc.edu.cn"):
        assert host in text, host
    assert "upstream" in text or "上游" in text


@pytest.mark.parametrize("page", [pair[1] for pair in PAIRS], ids=lambda p: p.name)
def test_glossary_terms_and_no_confusing_wording(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for phrase in CONFUSING:
        assert phrase not in text, f"{page.name}: {phrase!r}"
    if page.name == "README.zh-CN.md":
        glossary = text.split("## 术语", 1)[1].split("\n## ", 1)[0]
        for term, english in GLOSSARY.items():
            assert term in glossary and english in glossary, term


def test_the_parser_sees_commands_and_flags(tmp_path: Path) -> None:
    """The extraction itself, on a page made for it: a path to the program, a group command, `=`, pipes, and
    `llmenv` as an argument of another program (not a command)."""
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\n$ .llmenv-cli/bin/llmenv setup torch --mirror=china --env .venv  # 注释 --nope\n"
        "llmenv profiles list | head -2 && llmenv doctor \\\n  --offline\npip install --no-index llmenv\n```\n",
        encoding="utf-8",
    )
    assert invocations(page) == {
        ("setup", ""),
        ("setup", "--mirror"),
        ("setup", "--env"),
        ("profiles list", ""),
        ("doctor", ""),
        ("doctor", "--offline"),
    }
