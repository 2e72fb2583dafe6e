"""The argv -> environment move for credentials, on finished commands (pure: no process runs)."""

from __future__ import annotations

from llmenv.execute.installers import Command
from llmenv.execute.installers.credentials import private_sources
from llmenv.plan.model import Indexes
from llmenv.redact import Secret


def _indexes(*extras: str) -> Indexes:
    return Indexes(None, tuple(Secret(e) for e in extras), ("/wheels",), False, None, None, None, (), (), None)


def test_uv_moves_every_extra_index_when_one_has_a_password() -> None:
    command = Command(
        ["/x/uv", "pip", "install", "--extra-index-url", "https://u:pw@a/simple", "--extra-index-url",
         "https://b/simple", "--index-url=https://c/simple", "alpha==1"],
        {"NO_COLOR": "1"},
    )  # fmt: skip
    out = private_sources(command)
    assert out.argv == ["/x/uv", "pip", "install", "--index-url=https://c/simple", "alpha==1"]
    assert out.env == {"NO_COLOR": "1", "UV_EXTRA_INDEX_URL": "https://u:pw@a/simple https://b/simple"}


def test_pip_keeps_the_configured_extras_and_find_links() -> None:
    command = Command(["/env/bin/python", "-m", "pip", "install", "-f", "https://t:k@w/links", "a==1"], {})
    out = private_sources(command, _indexes("https://mirror/simple"))
    assert out.argv == ["/env/bin/python", "-m", "pip", "install", "a==1"]
    assert out.env == {"PIP_FIND_LINKS": "/wheels https://t:k@w/links"}


def test_commands_without_secrets_are_unchanged() -> None:
    command = Command(["/x/uv", "pip", "install", "--index-url", "https://pypi.org/simple", "a==1"], {})
    assert private_sources(command) == command
    other = Command(["/bin/echo", "--index-url", "https://u:p@h/"], {})
    assert private_sources(other) == other
