"""mirrors.yaml, --mirror, LLMENV_MIRROR and the profile's `mirror:` through the real CLI (it probes the host, so
these run as integration tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


def test_the_cli_prints_one_paragraph_for_a_bad_file(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(tmp_path))
    (tmp_path / "mirrors.yaml").write_text("campus:\n  pypi: https://x/simple\n  hf: https://y\n")
    result = cli("setup", "torch", "--dry-run", "--mirror", "campus", "--offline")
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{tmp_path / 'mirrors.yaml'}:3: unknown key 'campus.hf'" in result.err


def test_an_unknown_set_name_suggests_the_close_one(cli: Callable[..., CliResult]) -> None:
    result = cli("setup", "torch", "--dry-run", "--mirror", "tunaa", "--offline")
    assert result.code == 2 and "unknown mirror set 'tunaa'" in result.err and "did you mean 'tuna'" in result.err


def test_the_profile_key_and_the_environment_variable(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("name: p\nextends: torch\nmirror: aliyun\n")
    out = json.loads(cli("setup", str(profile), "--dry-run", "--offline", "--json").out)
    assert out["plan"]["mirrors"]["requested_by"] == "profile mirror:"
    assert out["plan"]["mirrors"]["roles"]["pypi"]["source"] == "aliyun"
    monkeypatch.setenv("LLMENV_MIRROR", "tuna")
    out = json.loads(cli("setup", str(profile), "--dry-run", "--offline", "--json").out)
    assert out["plan"]["mirrors"]["requested"] == "tuna"  # the variable wins over the profile
    out = json.loads(cli("setup", str(profile), "--dry-run", "--offline", "--json", "--mirror", "china").out)
    assert out["plan"]["mirrors"]["requested"] == "china"  # and --mirror over both
