"""Guards every test: a private HOME, config, log folder and cwd, fixed terminal width, no colour."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_SETTINGS = "LLMENV_TEST_"


@pytest.fixture(autouse=True)
def isolation(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    # Every llmenv override (LLMENV_CUDA_DRIVER, LLMENV_GPU_CC, LLMENV_IMDB, ...) set in the developer's shell or CI
    # would change what tests see; only the test suite's own settings (LLMENV_TEST_*) pass through.
    for name in [n for n in os.environ if n.startswith("LLMENV_") and not n.startswith(TEST_SETTINGS)]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("LLMENV_LOG_DIR", str(home / "logs"))
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
    """Run the real entry point (error boundary included) in-process and capture what it prints.

    Each run gets back the environment it started with, as a new process would: `setup --bundle` sets PIP_NO_INDEX
    and UV_OFFLINE for its own installers, and in-process that leaked into every later command of the session (an
    export or setup after it then resolved with index lookups disabled)."""
    from llmenv.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        before = dict(os.environ)
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            os.environ.clear()
            os.environ.update(before)
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

    from llmenv.tools import uv_binary

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


MINI_IMDB = REPO.parent / "shared" / "data" / "imdb" / "aclImdb-mini.tar.gz"


@pytest.fixture(scope="session")
def imdb_mini() -> Path:
    """The real IMDB subset (5,000 train / 2,000 test reviews): LLMENV_TEST_IMDB, else ../shared/data/imdb."""
    import os

    path = Path(os.environ.get("LLMENV_TEST_IMDB") or MINI_IMDB)
    if not path.is_file():
        pytest.skip("IMDB subset not found (set LLMENV_TEST_IMDB)")
    return path


def _uv_env(tmp_path_factory: pytest.TempPathFactory, name: str, *requirements: str) -> Path:
    import os
    import subprocess

    from llmenv.tools import uv_binary

    links = os.environ.get("LLMENV_TEST_WHEELHOUSE") or os.environ.get("PIP_FIND_LINKS", "").split(" ")[0]
    uv = uv_binary()
    assert uv
    env = tmp_path_factory.mktemp(name) / "env"
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(env)], check=True)
    extra = ["--find-links", links] if links else []
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(env / "bin" / "python"), *extra, *requirements], check=True
    )
    return env


# The transformers profile's CPU pins; the finetune profile extends them.
TRANSFORMERS_PINS = (
    TORCH_PIN,
    "numpy==2.2.6",
    "transformers==5.20.2",
    "tokenizers==0.23.3",
    "safetensors==0.8.0",
    "huggingface-hub==2.4.0",
)


@pytest.fixture(scope="session")
def transformers_env(tmp_path_factory: pytest.TempPathFactory, torch_env: Path) -> Path:
    """torch 2.13.0 CPU plus the transformers profile's pins."""
    return _uv_env(tmp_path_factory, "transformers", *TRANSFORMERS_PINS)


FINETUNE_PINS = ("peft==0.21.2", "accelerate==1.15.0", "datasets==5.2.0", "tensorboard==2.21.0")


@pytest.fixture(scope="session")
def finetune_env(tmp_path_factory: pytest.TempPathFactory, torch_env: Path) -> Path:
    """The finetune profile's CPU pins: the transformers profile's plus peft, accelerate, datasets, tensorboard."""
    return _uv_env(tmp_path_factory, "finetune", *TRANSFORMERS_PINS, *FINETUNE_PINS)


@pytest.fixture(scope="session")
def tf_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tf profile's CPU pins (tensorflow-cpu 2.21.0 from PyPI, about 300 MB on a cold cache)."""
    return _uv_env(tmp_path_factory, "tf", "tensorflow-cpu==2.21.0", "keras==3.15.1", "numpy==2.2.6")
