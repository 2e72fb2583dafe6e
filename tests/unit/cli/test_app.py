from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv import __version__
from tests.conftest import CliResult

COMMANDS = [
    [],
    ["profiles"],
    ["profiles", "list"],
    ["profiles", "show"],
    ["profiles", "validate"],
    ["profiles", "schema"],
]


def test_version(cli: Callable[..., CliResult]) -> None:
    result = cli("--version")
    assert (result.code, result.out) == (0, f"llmenv {__version__}\n")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_on_every_command(cli: Callable[..., CliResult], command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.code == 0
    assert result.out.startswith("Usage: llmenv")


def test_unknown_option_is_a_usage_error(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "list", "--nope")
    assert result.code == 2
    assert "No such option" in result.err


def test_list_json_shows_builtins(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "list", "--json")
    assert result.code == 0
    rows = {row["name"]: row for row in json.loads(result.out)}
    assert {"torch", "transformers", "tf", "full"} <= set(rows)
    assert rows["transformers"]["extends"] == ["torch"]
    assert all(row["valid"] for row in rows.values())


def test_list_marks_a_broken_user_profile(
    cli: Callable[..., CliResult], isolation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / "broken.yaml").write_text("name: broken\npakages: []\n")
    result = cli("profiles", "list")
    assert result.code == 0
    assert "broken" in result.out and "INVALID" in result.out
    rows = {r["name"]: r for r in json.loads(cli("profiles", "list", "--json").out)}
    assert rows["broken"]["valid"] is False and "pakages" in rows["broken"]["error"]


def test_show_resolves_per_accelerator(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "show", "tf", "--json")
    view = json.loads(result.out)
    assert view["chain"] == ["tf"]
    assert any(r.startswith("tensorflow[and-cuda]") for r in view["packages_by_accelerator"]["cuda"])
    text = cli("profiles", "show", "transformers", "--accelerator", "cpu").out
    assert "torch==2.13.0" in text and "transformers==5.20.2" in text
    # Brackets in requirements print as text, never as rich markup.
    assert "tensorflow[and-cuda]==2.21.0" in cli("profiles", "show", "tf", "--accelerator", "cuda").out


def test_show_rejects_unknown_accelerator(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "show", "torch", "--accelerator", "tpu")
    assert result.code == 2
    assert result.err.startswith("error: --accelerator: unknown accelerator 'tpu'")


def test_unknown_profile_exits_2(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "show", "nope")
    assert result.code == 2
    assert "no profile named 'nope'" in result.err


def test_internal_error_gives_70_and_a_log(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, isolation: Path
) -> None:
    import llmenv.profiles.catalog as catalog

    def boom(cwd: Path | None = None) -> None:
        raise RuntimeError("simulated bug with https://user:s3cret@example.org/simple")

    monkeypatch.setattr(catalog, "catalog", boom)
    result = cli("profiles", "list")
    assert result.code == 70
    assert "internal error (a bug in llmenv" in result.err
    assert "Traceback" not in result.err
    assert "s3cret" not in result.err
    log = Path(result.err.split("The traceback is in ")[1].split(";")[0])
    body = log.read_text()
    assert "Traceback" in body and "RuntimeError" in body
    assert "s3cret" not in body and "user:****@example.org" in body


def test_interrupt_gives_130(cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch) -> None:
    import llmenv.profiles.catalog as catalog

    def interrupted(cwd: Path | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(catalog, "catalog", interrupted)
    assert cli("profiles", "list").code == 130
    assert cli("profiles", "list").err == "interrupted\n"


@pytest.mark.parametrize("command", ["doctor", "probe"])
def test_interrupt_outside_the_probe_is_said_too(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """Failed before: Typer turned the KeyboardInterrupt into a silent exit 130 (nothing on stderr)."""
    import llmenv.cli.doctor as cli_doctor

    def interrupted(as_json: bool) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_doctor, "ends_at_once_on_ctrl_c", interrupted)
    result = cli(command, "--offline")
    assert result.code == 130 and result.err == "interrupted; nothing was changed\n"
    as_json = cli(command, "--offline", "--json")
    assert as_json.code == 130 and json.loads(as_json.out)["exit_code"] == 130
