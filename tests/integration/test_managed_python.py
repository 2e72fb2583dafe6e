"""No installed Python fits: setup plans a managed CPython, and installs it through uv from the `python` mirror
(a local python-build-standalone mirror built from this machine's CPython 3.12.1), into llmenv's data folder,
leaving PATH and ~/.local/bin alone. Upstream (GitHub) does not resolve here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, serve_mirror, user_world

CPYTHON = Path("/root/.pyenv/versions/3.12.1")
needs_cpython = pytest.mark.skipif(
    not (CPYTHON / "bin" / "python3").exists() or not Path("/opt/pypi/simple/filelock").is_dir(),
    reason="needs an installed CPython 3.12.1 to build the mirror from, and the /opt/pypi copy",
)


@pytest.fixture
def no_fitting_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Only 3.11 on PATH, no pyenv, a profile wanting 3.12; llmenv's data folder in tmp."""
    user_world(monkeypatch, tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "no-pyenv"))
    monkeypatch.setenv("LLMENV_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("UV_PYTHON_INSTALL_DIR", raising=False)
    (tmp_path / "config").mkdir()
    profile = tmp_path / "py312.yaml"
    profile.write_text(
        "name: py312\npython: '>=3.12,<3.13'\npackages: ['filelock==4.0.8']\nchecks:\n  imports: [filelock]\n"
    )
    return profile


@pytest.fixture(scope="module")
def pbs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from tests.helpers.pbs import build_mirror

    return build_mirror(CPYTHON, "3.12.1", tmp_path_factory.mktemp("pbs"))


@pytest.fixture
def mirror(pbs: tuple[Path, Path]) -> Iterator[MirrorHost]:
    with serve_mirror(MirrorHost(python=pbs[0])) as host:
        yield host


def test_dry_run_shows_the_managed_python_and_exits_0(
    cli: Callable[..., CliResult], no_fitting_python: Path, tmp_path: Path
) -> None:
    result = cli("setup", str(no_fitting_python), "--dry-run", "--offline", "--env", str(tmp_path / "env"))
    assert result.code == 0, result.err
    assert "install managed CPython 3.12" in result.out
    assert not (tmp_path / "data").exists()  # a dry run installs nothing


@needs_cpython
@pytest.mark.slow
@pytest.mark.timeout(600)
def test_setup_installs_a_managed_python_from_the_python_mirror(
    cli: Callable[..., CliResult],
    no_fitting_python: Path,
    pbs: tuple[Path, Path],
    mirror: MirrorHost,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS_JSON_URL", str(pbs[1]))
    (tmp_path / "config" / "mirrors.yaml").write_text(
        f"local:\n  python: {mirror.base}/python\n  pypi: {mirror.base}/pypi/simple\n"
    )
    env = tmp_path / "env"
    result = cli("setup", str(no_fitting_python), "--env", str(env), "--mirror", "local", "--yes", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["python"]["version"] == "3.12.1" and plan["managed_python"]["mirror"] == f"{mirror.base}/python"
    assert plan["python"]["value"].startswith(str(tmp_path / "data" / "python"))
    assert any(d.endswith("install_only.tar.gz") for d in mirror.downloads())
    base = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import sys, filelock; print(sys.base_prefix, sys.version_info[:2])"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert base.startswith(str(tmp_path / "data" / "python")) and "(3, 12)" in base
    assert not list((Path.home() / ".local" / "bin").glob("python*"))  # PATH's folders are left alone
    again = cli("setup", str(no_fitting_python), "--env", str(env), "--mirror", "local", "--yes")
    assert again.code == 0 and "is up to date" in again.out


def test_auto_probes_the_python_role_only_when_a_managed_python_is_needed(
    cli: Callable[..., CliResult], no_fitting_python: Path, mirror: MirrorHost, tmp_path: Path
) -> None:
    from tests.helpers.mirror_server import dead_port

    dead = f"http://127.0.0.1:{dead_port()}"
    (tmp_path / "config" / "mirrors.yaml").write_text(
        f"dead:\n  python: {dead}/python\ngood:\n  python: {mirror.base}/python\n"
    )
    result = cli("setup", str(no_fitting_python), "--dry-run", "--mirror", "auto", "--json", "--env", "e")
    plan = json.loads(result.out)["plan"]
    python = plan["mirrors"]["roles"]["python"]
    assert python["source"] == "good" and plan["managed_python"]["mirror"] == f"{mirror.base}/python"
    assert {r["value"] for r in python["rejected"]} == {"upstream", "dead", "china", "ustc"}  # built-ins: DNS fails
    fits = tmp_path / "fits.yaml"
    fits.write_text("name: fits\npython: '>=3.10'\npackages: ['filelock==4.0.8']\n")
    result = cli("setup", str(fits), "--dry-run", "--mirror", "auto", "--json", "--env", "e")
    assert "not probed" in json.loads(result.out)["plan"]["mirrors"]["roles"]["python"]["why"]


def test_declining_the_managed_python_stops_with_exit_3_and_installs_nothing(
    no_fitting_python: Path, tmp_path: Path
) -> None:
    """The CLI asks through `confirm` on an interactive terminal without --yes; a "no" changes nothing."""
    from llmenv.errors import HostError
    from llmenv.workflow.common import SetupOptions
    from llmenv.workflow.setup import setup

    asked: list[str] = []

    def decline(question: str) -> bool:
        asked.append(question)
        return False

    options = SetupOptions(profile=str(no_fitting_python), env=tmp_path / "env", confirm=decline, offline=True)
    with pytest.raises(HostError) as info:
        setup(options, lambda text: lambda line: None)
    assert info.value.exit_code == 3 and "--yes" in (info.value.fix or "")
    assert asked and "Install managed CPython 3.12" in asked[0]
    assert not (tmp_path / "data").exists() and not (tmp_path / "env").exists()
