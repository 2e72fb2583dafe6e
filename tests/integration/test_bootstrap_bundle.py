"""`scripts/bootstrap.sh --bundle BUNDLE` (through scripts/bootstrap_bundle.sh): from a bundle that carries a CPython, on a machine with no Python on PATH
and no network (`unshare -n`, root only), to a verified env. The CPython archive is made by the test from this
machine's interpreter, in python-build-standalone's install_only layout (`python/bin`, `python/lib`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.test_bundle import needs_unshare

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SCRIPT = REPO / "scripts" / "bootstrap.sh"
TOOLS = ("sh", "tar", "gzip", "sha256sum", "grep", "mktemp", "mkdir", "rm", "find", "head", "cat", "env", "uname")
SKIP_STDLIB = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "__pycache__"}


def cpython_archive(out: Path) -> Path:
    """This interpreter's executable, shared library and standard library as `python/...` in a .tar.gz."""
    prefix = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stdlib = prefix / "lib" / version

    def skip(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        parts = Path(info.name).parts
        return None if (len(parts) > 3 and parts[3] in SKIP_STDLIB) or "__pycache__" in parts else info

    with tarfile.open(out, "w:gz", compresslevel=1) as archive:
        archive.add(Path(sys.executable).resolve(), arcname=f"python/bin/{version}")
        for lib in (prefix / "lib").glob("libpython*.so*"):
            archive.add(lib, arcname=f"python/lib/{lib.name}")
        archive.add(stdlib, arcname=f"python/lib/{version}", filter=skip)
        link = tarfile.TarInfo("python/bin/python3")
        link.type, link.linkname = tarfile.SYMTYPE, version
        archive.addfile(link)
    return out


@needs_unshare
def test_bootstrap_from_a_bundle_with_no_python_on_path(tmp_path: Path) -> None:
    if sysconfig.get_config_var("Py_ENABLE_SHARED") is None:
        pytest.skip("cannot tell how this interpreter is linked")
    profile = tmp_path / "tiny.yaml"
    profile.write_text(
        "name: tiny\ndescription: one small pure-Python package\npython: '>=3.10'\nenv: .venv\n"
        "accelerator: cpu\npackages: [six==1.17.0]\nchecks:\n  imports: [six]\n"
    )
    archive = cpython_archive(tmp_path / "cpython-3.11-install_only.tar.gz")
    bundle = tmp_path / "tiny.tar"
    from llmenv.cli import main

    try:
        main(["bundle", str(profile), "--python-archive", str(archive), "-o", str(bundle), "-q"])
    except SystemExit as exc:
        assert not exc.code, exc.code
    tools = tmp_path / "tools"  # the only commands on PATH: no python anywhere
    tools.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)
    home = tmp_path / "home"
    home.mkdir()
    child = {
        "PATH": str(tools),
        "HOME": str(home),
        "LLMENV_CACHE_DIR": str(tmp_path / "cache"),
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "LLMENV_LOG_DIR": str(tmp_path / "logs"),
        "NO_COLOR": "1",
    }
    env = tmp_path / "env"
    argv = [
        shutil.which("unshare") or "unshare",
        "-n",
        str(tools / "sh"),
        str(SCRIPT),
        "--bundle",
        str(bundle),
        "--env",
        str(env),
        "--skip-smoke",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, env=child, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (env / "bin" / "python").exists()
    check = subprocess.run([str(env / "bin" / "python"), "-c", "import six; print(six.__version__)"],
                           capture_output=True, text=True, env=child)  # fmt: skip
    assert check.stdout.strip() == "1.17.0"
    # The env is built on the bundle's CPython, unpacked into llmenv's data folder.
    config = dict(line.split(" = ", 1) for line in (env / "pyvenv.cfg").read_text().splitlines() if " = " in line)
    assert config["home"] == str(home / ".local" / "share" / "llmenv" / "bootstrap" / "python" / "python" / "bin")
