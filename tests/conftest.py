"""Guards every test: a private HOME, config, log folder and cwd, fixed terminal width, no colour."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("LLMENV_LOG_DIR", str(home / "logs"))
    monkeypatch.delenv("LLMENV_CONFIG_DIR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    # The repository's own profiles/ must not shadow built-ins as "project" profiles in tests.
    monkeypatch.chdir(work)
    yield work


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run the real entry point (error boundary included) in-process and capture what it prints."""
    from llmenv.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def python_exe() -> str:
    return sys.executable


TORCH_PIN = "torch==2.13.0"


@pytest.fixture(scope="session")
def torch_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with the CPU build of torch 2.13.0, installed by uv from a local wheelhouse.

    The wheelhouse is LLMENV_TEST_WHEELHOUSE, else pip's find-links (PIP_FIND_LINKS); a plain `torch` from PyPI
    would be a multi-GB CUDA build, so without a local CPU wheel the test is skipped rather than downloading it."""
    import os
    import subprocess

    from llmenv.verify.env import uv_binary

    links = os.environ.get("LLMENV_TEST_WHEELHOUSE") or os.environ.get("PIP_FIND_LINKS", "").split(" ")[0]
    if not links or not list(Path(links).glob("torch-2.13.0+cpu-*.whl")):
        pytest.skip("no local torch-2.13.0+cpu wheel (set LLMENV_TEST_WHEELHOUSE)")
    uv = uv_binary()
    assert uv
    env = tmp_path_factory.mktemp("torch") / "env"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(env / "bin" / "python"),
            "--find-links",
            links,
            TORCH_PIN,
            "numpy==2.2.6",
        ],
        check=True,
    )
    return env
