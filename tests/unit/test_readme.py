"""The READMEs stay a README (short, every link resolves, commands that exist, the real exit-code table) and the
Chinese one stays in step with the English one: the same commands and code blocks, comments aside."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from llmenv.cli import app
from llmenv.errors import ExitCode

REPO = Path(__file__).resolve().parents[2]
READMES = [REPO / "README.md", REPO / "README.zh-CN.md"]
# Pages and commands other branches of this session add; the lead empties these sets when they land (the test
# below fails as soon as a listed page exists, so the set cannot go stale).
PENDING_PAGES: set[str] = set()
PENDING_COMMANDS: set[str] = set()

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def blocks(path: Path) -> list[tuple[str, list[str]]]:
    """Each fenced block as (language, lines without comments): comments are translated, commands are not."""
    out = []
    for lang, body in FENCE.findall(path.read_text(encoding="utf-8")):
        lines = [re.sub(r"\s+#\s.*$", "", line).rstrip() for line in body.splitlines()]
        out.append((lang, [line for line in lines if line and not line.startswith("#")]))
    return out


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_is_short(readme: Path) -> None:
    assert len(readme.read_text(encoding="utf-8").splitlines()) < 200


def test_chinese_readme_has_the_same_commands_and_code_blocks() -> None:
    """The set-up commands are the same block for block; the quick start may differ where a student in China needs
    it (`--mirror china`, a PyPI mirror for pip), but every `llmenv` command and flag is in both (test_zh_pages)."""
    english, chinese = (blocks(path) for path in READMES)
    assert chinese[:3] == english[:3]
    table = re.compile(r"^\| `(llmenv [^`]*)`", re.M)
    assert table.findall(READMES[1].read_text(encoding="utf-8")) == table.findall(
        READMES[0].read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_links_resolve(readme: Path) -> None:
    text = readme.read_text(encoding="utf-8")
    targets = {t for t in re.findall(r"\]\(([^)#]+)\)", text) if not t.startswith("http")}
    assert targets, "no links found"
    missing = {t for t in targets if not (REPO / t).exists()}
    assert missing <= PENDING_PAGES, f"broken links: {missing - PENDING_PAGES}"


def test_pending_pages_are_still_pending() -> None:
    landed = {page for page in PENDING_PAGES if (REPO / page).exists()}
    assert not landed, f"remove {landed} from PENDING_PAGES: they exist now"


def test_set_up_commands_are_the_documented_ones() -> None:
    """The set-up commands must stay literally true: install + `llmenv setup` (POSIX and Windows), `scripts/test`."""
    english = blocks(READMES[0])
    assert english[0] == (
        "bash",
        ["python3 -m venv .llmenv-cli && .llmenv-cli/bin/pip install . && .llmenv-cli/bin/llmenv setup"],
    )
    assert english[1] == (
        "powershell",
        [r"py -m venv .llmenv-cli; .llmenv-cli\Scripts\pip install .; .llmenv-cli\Scripts\llmenv setup"],
    )
    assert english[2] == ("bash", ["scripts/test"])
    assert (REPO / "scripts" / "test").is_file()


def test_command_table_names_real_commands() -> None:
    registered = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    named = set(re.findall(r"^\| `llmenv (\w+)", READMES[0].read_text(encoding="utf-8"), re.M))
    assert named - registered <= PENDING_COMMANDS
    assert not (PENDING_COMMANDS & registered), "remove landed commands from PENDING_COMMANDS"
    assert {"setup", "doctor", "smoke", "rollback", "export", "lock", "probe"} <= named


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_exit_code_table_is_the_code_table(readme: Path) -> None:
    rows = re.findall(r"^\| (\d+) \|", readme.read_text(encoding="utf-8"), re.M)
    assert [int(r) for r in rows] == sorted(int(c) for c in ExitCode)
