"""The user's uv configuration (UV_* variables, uv.toml, pyproject [tool.uv]) never changes what setup installs,
and doctor reports it as it reports pip's. Before the fix, each case below made uv install from the dead index
at 127.0.0.1:9 (or refuse the network), so setup failed with "127.0.0.1 could not be reached"."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel
from tests.integration.test_setup import profile, use_index

pytestmark = pytest.mark.timeout(300)
DEAD = "http://127.0.0.1:9/simple"  # port 9 (discard): nothing listens there


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    with serve(IndexServer(folder)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        yield server


def _variables(monkeypatch: pytest.MonkeyPatch, cwd: Path, variables: dict[str, str]) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def _user_file(monkeypatch: pytest.MonkeyPatch, cwd: Path, text: str) -> None:
    import os

    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "uv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "uv.toml").write_text(text)


CASES: dict[str, Callable[[pytest.MonkeyPatch, Path], None]] = {
    "UV_INDEX_URL": lambda mp, cwd: _variables(mp, cwd, {"UV_INDEX_URL": DEAD}),
    "UV_DEFAULT_INDEX+UV_EXTRA_INDEX_URL": lambda mp, cwd: _variables(
        mp, cwd, {"UV_DEFAULT_INDEX": DEAD, "UV_EXTRA_INDEX_URL": DEAD + "2", "UV_INDEX_STRATEGY": "first-index"}
    ),
    "UV_OFFLINE": lambda mp, cwd: _variables(mp, cwd, {"UV_OFFLINE": "1"}),
    "user uv.toml": lambda mp, cwd: _user_file(mp, cwd, f'index-url = "{DEAD}"\n'),
    "working folder uv.toml": lambda mp, cwd: (cwd / "uv.toml").write_text("no-index = true\n") and None,
    # uv refuses to run at all with a uv.toml it cannot parse in the working folder ("Failed to parse")
    "malformed working folder uv.toml": lambda mp, cwd: (cwd / "uv.toml").write_text("index-url = [\n") and None,
    "working folder pyproject [tool.uv]": lambda mp, cwd: (
        (cwd / "pyproject.toml").write_text(
            f'[project]\nname = "mine"\nversion = "0"\n\n[tool.uv]\nindex-url = "{DEAD}"\noffline = true\n'
        )
        and None
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_uv_configuration_does_not_change_the_install(
    cli: Callable[..., CliResult],
    index: IndexServer,
    tmp_path: Path,
    isolation: Path,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    CASES[case](monkeypatch, isolation)
    env = tmp_path / "env"
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--backend", "uv", "--json")
    assert result.code == 0, result.err
    assert index.downloads(), "alpha came from the profile's index (pip's configuration)"
    assert json.loads(result.out)["plan"]["backend"]["value"] == "uv"


def test_uv_index_url_does_not_replace_pips_default_index(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: pip's configuration names no index-url (PyPI, which llmenv then leaves to uv's default), so
    before the fix UV_INDEX_URL replaced PyPI and uv failed at 127.0.0.1:9. The pin lives on a local extra index
    under a name PyPI does not have (PyPI answers 404 for it, and uv goes on to the extra index)."""
    folder = tmp_path / "wheels"
    make_wheel(folder, "llmenv-truth-isolation-probe", "1.0")
    with serve(IndexServer(folder)) as server:
        config = tmp_path / "pip.conf"
        config.write_text(f"[global]\nextra-index-url = {server.url}\n")
        monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
        for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("UV_INDEX_URL", DEAD)
        tiny = tmp_path / "tiny.yaml"
        tiny.write_text(
            "name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: [llmenv-truth-isolation-probe==1.0]\n"
            "checks:\n  imports: [llmenv_truth_isolation_probe]\n"
        )
        result = cli("setup", str(tiny), "--env", str(tmp_path / "env"), "--backend", "uv")
        assert result.code == 0, result.err
        assert server.downloads()


def test_doctor_reports_the_users_uv_configuration(
    cli: Callable[..., CliResult], isolation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UV_INDEX_URL", "https://user:s3cr3t-token@mirror.example/simple")
    monkeypatch.setenv("UV_CACHE_DIR", str(isolation / "cache"))
    (isolation / "uv.toml").write_text('offline = true\n[[index]]\nurl = "https://x.example/simple"\n')
    _user_file(monkeypatch, isolation, "native-tls = true\n")
    result = cli("doctor", "--json", "--offline")
    assert "s3cr3t-token" not in result.out
    finding = next(f for f in json.loads(result.out)["findings"] if f["id"] == "uv.config")
    assert finding["status"] == "ok"
    assert "setup ignores it" in finding["title"]
    evidence = finding["evidence"]
    assert "UV_INDEX_URL=" in evidence and str(isolation / "uv.toml") in evidence
    assert "offline, index" in evidence and "native-tls" in evidence
    assert "passed on to llmenv's uv: UV_CACHE_DIR=" in evidence
