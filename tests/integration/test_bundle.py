"""`llmenv bundle` and `llmenv setup --bundle`, for real: a torch CPU bundle made here sets up inside a network
namespace with no network (`unshare -n`, root only) and an empty uv cache; one altered wheel refuses the bundle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.unit.execute.test_bundle_open import rewrite

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def no_network_available() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


needs_unshare = pytest.mark.skipif(not no_network_available(), reason="needs root and `unshare -n`")


@pytest.fixture(scope="module")
def torch_bundle(tmp_path_factory: pytest.TempPathFactory, imdb_mini: Path) -> Path:
    links = os.environ.get("LLMENV_TEST_WHEELHOUSE") or os.environ.get("PIP_FIND_LINKS", "").split(" ")[0]
    if not links or not list(Path(links).glob("torch-2.13.0+cpu-*.whl")):
        pytest.skip("no local torch-2.13.0+cpu wheel (set LLMENV_TEST_WHEELHOUSE)")
    out = tmp_path_factory.mktemp("bundle") / "torch-cpu.tar"
    from llmenv.cli import main

    try:
        main(["bundle", "torch", "--accelerator", "cpu", "--data", str(imdb_mini), "-o", str(out), "-q"])
    except SystemExit as exc:
        assert not exc.code, exc.code
    return out


def offline_setup(bundle: Path, env: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    uv_cache = tmp_path / "uv-cache"
    uv_cache.mkdir(exist_ok=True)
    assert not any(uv_cache.iterdir())
    argv = [sys.executable, "-m", "llmenv", "setup", "--bundle", str(bundle), "--env", str(env), "--skip-smoke"]
    child = {**os.environ, "UV_CACHE_DIR": str(uv_cache), "LLMENV_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run(["unshare", "-n", *argv, "--json"], capture_output=True, text=True, env=child, timeout=900)


def test_bundle_lists_every_member_with_its_sha256(
    torch_bundle: Path, cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    with tarfile.open(torch_bundle) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names[:2] == ["manifest.json", "SHA256SUMS"] and set(names[2:]) == set(manifest["members"])
    assert any(n.startswith("wheels/torch-2.13.0+cpu-") for n in names)
    assert any(n.startswith("llmenv/llmenv-") for n in names) and manifest["uv"] in names
    assert manifest["data"] == "data/aclImdb-mini.tar.gz" and manifest["variants"][0]["build"] == "cpu"
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())


@needs_unshare
def test_setup_from_bundle_with_no_network_and_an_empty_uv_cache(torch_bundle: Path, tmp_path: Path) -> None:
    env = tmp_path / "env"
    proc = offline_setup(torch_bundle, env, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["plan"]["lock_file"] and "/bundles/" in report["plan"]["lock_file"]  # the bundle's hashed lock
    version = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import torch, numpy; print(torch.__version__, numpy.__version__)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert version.stdout.split() == ["2.13.0+cpu", "2.2.6"]
    # The bundle's real reviews are where the smoke test looks before any synthetic fallback.
    assert (tmp_path / "cache" / "imdb" / "bundle" / "aclImdb-mini.tar.gz").is_file()


@needs_unshare
def test_one_altered_wheel_refuses_the_bundle_and_installs_nothing(torch_bundle: Path, tmp_path: Path) -> None:
    with tarfile.open(torch_bundle) as archive:
        wheels = [m for m in archive.getmembers() if m.name.startswith("wheels/")]
        smallest = min(wheels, key=lambda m: m.size)
        body = archive.extractfile(smallest).read()  # type: ignore[union-attr]
    altered = rewrite(torch_bundle, tmp_path / "altered.tar", {smallest.name: body[:-1] + bytes([body[-1] ^ 1])})
    env = tmp_path / "env"
    proc = offline_setup(altered, env, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{smallest.name}: sha256" in " ".join(proc.stderr.split()) and "nothing was installed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not env.exists() and not (tmp_path / "env.llmenv").exists()
    assert not any((tmp_path / "cache" / "bundles").iterdir())
