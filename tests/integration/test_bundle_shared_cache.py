"""`setup --bundle` for real with a small hand-made bundle (one tiny real wheel, no torch): two setups sharing one
llmenv cache (a shared home on a cluster, two terminals) at the same time, and an env whose cache was cleared.

Each setup takes a few seconds (a venv and one tiny wheel); the file costs about 20 s on 2 cores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.wheels import make_wheel
from tests.hostile.bundles import make_bundle

pytestmark = pytest.mark.timeout(300)

PROFILE = b"name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\nchecks:\n  imports: ['alpha']\n"


DATA = b"stand-in for the bundle's IMDB tarball" * 100


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    from tests.hostile.bundles import manifest_for

    wheel = make_wheel(tmp_path / "made", "alpha", "1.0")
    members = {"profile/tiny.yaml": PROFILE, f"wheels/{wheel.name}": wheel.read_bytes(), "data/imdb.tar.gz": DATA}
    manifest = manifest_for(members, profile="tiny", profile_member="profile/tiny.yaml", data="data/imdb.tar.gz")
    return make_bundle(tmp_path / "tiny.tar", members, manifest)


def child_env(cache: Path) -> dict[str, str]:
    """The user's world: no pip configuration, no find-links; llmenv's cache where the test says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_INDEX", "UV_EXTRA"))}
    return {**env, "PIP_CONFIG_FILE": os.devnull, "LLMENV_CACHE_DIR": str(cache)}


def setup(bundle: Path, env: Path, cache: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "llmenv", "setup", "--bundle", str(bundle), "--env", str(env), "--skip-smoke"]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(cache))


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=240)
    return proc.returncode, out[-3000:] + err[-3000:]


def published(cache: Path) -> list[Path]:
    root = cache / "bundles"
    return [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")] if root.is_dir() else []


def test_two_setups_from_one_bundle_sharing_a_cache_both_succeed(bundle: Path, tmp_path: Path) -> None:
    """The second setup never removes or replaces the unpacked folder the first installs from.

    Failed before: the second run deleted the published folder (`shutil.rmtree`) and moved its own copy in, while
    the first was installing from it (the folder's inode changed under the first run)."""
    cache = tmp_path / "cache"
    first = setup(bundle, tmp_path / "env-a", cache)
    deadline = time.monotonic() + 60
    while not published(cache) and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    [folder] = published(cache)
    inode = folder.stat().st_ino
    second = setup(bundle, tmp_path / "env-b", cache)
    (code_a, shown_a), (code_b, shown_b) = finish(first), finish(second)
    assert code_a == 0, shown_a
    assert code_b == 0, shown_b
    assert folder.stat().st_ino == inode, "the folder the first setup installed from was replaced"
    assert published(cache) == [folder]
    assert not [p.name for p in (cache / "bundles").iterdir() if p.name.endswith(".tmp")]  # no scratch left
    # The smoke data each copied into the shared cache: whole, and no scratch file beside it.
    assert [p.name for p in (cache / "imdb" / "bundle").iterdir()] == ["imdb.tar.gz"]
    assert (cache / "imdb" / "bundle" / "imdb.tar.gz").read_bytes() == DATA
    for env in ("env-a", "env-b"):
        python = tmp_path / env / "bin" / "python"
        done = subprocess.run([str(python), "-c", "import alpha; print(alpha.__version__)"], capture_output=True,
                              text=True, check=True)  # fmt: skip
        assert done.stdout.strip() == "1.0"


def test_two_setups_started_together_both_succeed(bundle: Path, tmp_path: Path) -> None:
    """Started at the same instant: each unpacks into its own scratch; one publishes, the other reuses it."""
    cache = tmp_path / "cache"
    procs = [setup(bundle, tmp_path / f"env-{n}", cache) for n in range(2)]
    for code, shown in [finish(p) for p in procs]:
        assert code == 0, shown
    assert len(published(cache)) == 1
    assert not [p.name for p in (cache / "bundles").iterdir() if p.name.endswith(".tmp")]


def test_doctor_env_passes_after_the_cache_is_cleared(bundle: Path, tmp_path: Path) -> None:
    """The env keeps its own copy of the profile it was built from; the stamp names that copy.

    Failed before: the stamp pointed at the profile inside the unpacked bundle in llmenv's cache, so after the
    cache was cleared `doctor --env` failed with "profile ... is invalid" (exit 2)."""
    cache, env = tmp_path / "cache", tmp_path / "env"
    code, shown = finish(setup(bundle, env, cache))
    assert code == 0, shown
    shutil.rmtree(cache)
    argv = [sys.executable, "-m", "llmenv", "doctor", "--env", str(env), "--offline", "--json"]
    done = subprocess.run(argv, capture_output=True, text=True, env=child_env(cache), timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["profile"] == "tiny"
    assert next(f for f in report["findings"] if f["id"] == "env.import.alpha")["status"] == "ok"
    stamp = json.loads((env.resolve() / "llmenv-stamp.json").read_text())
    assert stamp["profile_source"] == str(env.resolve() / "llmenv-profile.yaml")  # the env's own copy
    assert (env.resolve() / "llmenv-profile.yaml").read_bytes() == PROFILE
    text = subprocess.run(argv[:-1], capture_output=True, text=True, env=child_env(cache), timeout=120)
    assert text.returncode == 0 and "'tiny'" in text.stdout, text.stdout[-2000:] + text.stderr[-2000:]


def test_doctor_env_uses_the_envs_copy_once_the_profile_file_is_gone(tmp_path: Path) -> None:
    """The class beyond bundles: a profile given as a file is named by its path (an edit to it is still judged),
    and when that file is deleted, `doctor --env` judges against the copy the env kept."""
    made = tmp_path / "made"
    make_wheel(made, "alpha", "1.0")
    profile, cache, env = tmp_path / "tiny.yaml", tmp_path / "cache", tmp_path / "env"
    profile.write_bytes(PROFILE)
    offline = {**child_env(cache), "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(made), "UV_OFFLINE": "1"}
    argv = [sys.executable, "-m", "llmenv", "setup", str(profile), "--env", str(env), "--skip-smoke", "--offline"]
    done = subprocess.run(argv, capture_output=True, text=True, env=offline, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    stamp = json.loads((env.resolve() / "llmenv-stamp.json").read_text())
    assert stamp["profile_source"] == str(profile) and (env.resolve() / "llmenv-profile.yaml").is_file()
    profile.unlink()
    doctor = [sys.executable, "-m", "llmenv", "doctor", "--env", str(env), "--offline", "--json"]
    done = subprocess.run(doctor, capture_output=True, text=True, env=child_env(cache), timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert json.loads(done.stdout)["profile"] == "tiny"
    # `llmenv smoke --env` reads it the same way: the profile is found (it has no smoke block, so exit 2 saying so).
    smoke = [sys.executable, "-m", "llmenv", "smoke", "--env", str(env), "--offline"]
    done = subprocess.run(smoke, capture_output=True, text=True, env=child_env(cache), timeout=120)
    assert done.returncode == 2 and "profile tiny has no smoke block" in done.stderr, done.stderr[-2000:]
