"""`llmenv setup` installing for real from a local index on 127.0.0.1: both backends, re-runs, updates, failures,
interruption, a killed run, concurrency, ownership and credentials."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from llmenv.execute.store import STAMP
from llmenv.verify.env import check_import
from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    from virtualenv.seed.wheels.embed import get_embed_wheel

    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    make_wheel(folder, "alpha", "2.0")
    make_wheel(folder, "beta", "1.0", requires=("alpha>=1",))
    # uv-built envs get pip from virtualenv's bundled wheel, and the pip backend's seeding needs nothing either.
    wheel = get_embed_wheel("pip", f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert wheel is not None
    return folder


@pytest.fixture
def index(wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexServer]:
    with serve(IndexServer(wheels)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        yield server


def use_index(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point pip's configuration (and so llmenv's, for both backends) at the test index and nothing else."""
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)


def profile(tmp_path: Path, *packages: str, name: str = "tiny") -> Path:
    path = tmp_path / f"{name}.yaml"
    imports = sorted({p.split("==")[0] for p in packages})
    path.write_text(
        f"name: {name}\npython: '>=3.10'\naccelerator: cpu\npackages: {json.dumps(list(packages))}\n"
        f"checks:\n  imports: {json.dumps(imports)}\n"
    )
    return path


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def bytecode(env: Path, module: str = "alpha") -> list[Path]:
    return list(env.resolve().glob(f"lib/python*/site-packages/{module}/__pycache__/*.pyc"))


def settled(env: Path, *modules: str) -> None:
    """Wait for setup's background warm-up to write the checked modules' bytecode: until then the run that built the
    env is still writing to it, so a byte-for-byte comparison would race with it."""
    wait_for(lambda: all(bytecode(env, m) for m in modules or ("alpha",)), timeout=60)


def version_in(env: Path, module: str = "alpha") -> str:
    return subprocess.run(
        [str(env / "bin" / "python"), "-c", f"import {module}; print({module}.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_install_rerun_update_rollback(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path, backend: str
) -> None:
    env = tmp_path / "env"
    first = cli(
        "setup", str(profile(tmp_path, "alpha==1.0", "beta==1.0")), "--env", str(env), "--backend", backend, "--json"
    )
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert report["status"] == "created" and report["plan"]["backend"]["value"] == backend
    assert env.is_symlink() and version_in(env) == "1.0"
    stamp = json.loads((env / STAMP).read_text())
    assert stamp["requirements"] == ["alpha==1.0", "beta==1.0"] and stamp["backend"] == backend
    assert (env / "bin" / "pip").exists()  # pip is seeded, so `pip install` in the activated env stays inside

    requests = len(index.requests)
    again = cli("setup", str(profile(tmp_path, "alpha==1.0", "beta==1.0")), "--env", str(env), "--backend", backend)
    assert again.code == 0 and "is up to date" in again.out
    assert len(index.requests) == requests  # no installer ran: not even an index lookup

    updated = cli(
        "setup", str(profile(tmp_path, "alpha==2.0", "beta==1.0")), "--env", str(env), "--backend", backend, "--json"
    )
    assert updated.code == 0, updated.err
    assert json.loads(updated.out)["status"] == "updated"
    assert version_in(env) == "2.0"

    removed = cli("setup", str(profile(tmp_path, "alpha==2.0")), "--env", str(env), "--backend", backend)
    assert removed.code == 0
    missing = subprocess.run([str(env / "bin" / "python"), "-c", "import beta"], capture_output=True)
    assert missing.returncode != 0  # a package dropped from the profile is gone from the env

    back = cli("rollback", "--env", str(env))
    assert back.code == 0
    assert subprocess.run([str(env / "bin" / "python"), "-c", "import beta"]).returncode == 0


def test_missing_pin_fails_with_4_and_leaves_env_byte_for_byte(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    env = tmp_path / "env"
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env)).code == 0
    settled(env)
    target = os.readlink(env)
    before = tree_hash(env.resolve())
    home = tmp_path / "env.llmenv"
    gens = sorted(p.name for p in home.iterdir())
    result = cli("setup", str(profile(tmp_path, "alpha==9.9")), "--env", str(env))
    assert result.code == 4
    error = result.err[result.err.index("error: ") :]
    assert error.startswith("error: installing with uv failed") and "alpha" in error
    assert "FAILED: installing" in result.err
    log = Path(result.err.split("Full log: ")[1].splitlines()[0])
    assert log.is_file() and "alpha==9.9" in log.read_text()
    assert os.readlink(env) == target and tree_hash(env.resolve()) == before
    assert sorted(p.name for p in home.iterdir()) == gens  # the failed generation was removed
    assert version_in(env) == "1.0"


def test_checks_leave_bytecode_to_a_background_warm_up(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The user's setting says "write no bytecode"; llmenv still compiles, once, what its checks imported.
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = tmp_path / "env"
    spec = str(profile(tmp_path, "alpha==1.0", "beta==1.0"))
    assert cli("setup", spec, "--env", str(env), "--skip-smoke").code == 0
    settled(env, "alpha", "beta")
    python = env / "bin" / "python"
    for pyc in bytecode(env):
        pyc.unlink()
    # What setup's checks do when nothing runs in the env right after: import without paying for the compile ...
    assert check_import(python, "alpha", write_bytecode=False).ok and not bytecode(env)
    # ... and what they do before a smoke test, which then reads the bytecode.
    assert check_import(python, "alpha").ok and bytecode(env)


def test_dry_run_changes_nothing(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--dry-run", "--json")
    plan = json.loads(result.out)["plan"]
    assert plan["requirements"] == ["alpha==1.0"] and plan["indexes"]["index_url"] == index.url
    assert not env.exists() and not (tmp_path / "env.llmenv").exists()
    text = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--dry-run").out
    assert "Plan for profile tiny" in text and "alpha==1.0" in text


def test_refuses_a_folder_llmenv_did_not_create(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    env = tmp_path / "mine"
    env.mkdir()
    (env / "precious.txt").write_text("keep me")
    for extra in ([], ["--force"]):
        result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), *extra)
        assert result.code == 2
        assert "was not created by llmenv" in result.err
    assert (env / "precious.txt").read_text() == "keep me" and not (tmp_path / "mine.llmenv").exists()


def test_force_rebuilds_an_llmenv_env(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    spec = str(profile(tmp_path, "alpha==1.0"))
    assert cli("setup", spec, "--env", str(env)).code == 0
    first = os.readlink(env)
    result = cli("setup", spec, "--env", str(env), "--force", "--json")
    assert result.code == 0 and json.loads(result.out)["status"] == "updated"
    assert os.readlink(env) != first


def test_empty_folder_is_taken_over(cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "empty"
    env.mkdir()
    assert cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env)).code == 0
    assert env.is_symlink()


def test_credentials_never_appear(
    cli: Callable[..., CliResult], wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve(IndexServer(wheels, auth=("deploy", "s3cretT0ken"))) as server:
        use_index(server.url_with_auth(), tmp_path, monkeypatch)
        env = tmp_path / "env"
        good = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--json")
        assert good.code == 0, good.err
        bad = cli("setup", str(profile(tmp_path, "alpha==9.9")), "--env", str(env))
        assert bad.code == 4
        dry = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(env), "--dry-run")
        logs = "".join(p.read_text() for p in (Path(os.environ["LLMENV_LOG_DIR"])).glob("*.log"))
        everything = good.out + good.err + bad.out + bad.err + dry.out + logs + (env / STAMP).read_text()
        assert "s3cretT0ken" not in everything
        assert "deploy:****@127.0.0.1" in good.out


# --- interruption, SIGKILL and concurrency run the real CLI in a child process -----------------------------------


def start_setup(spec: Path, env: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "llmenv", "setup", str(spec), "--env", str(env), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_sigint_during_install_leaves_env_intact(index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    first = start_setup(profile(tmp_path, "alpha==1.0"), env)
    assert first.wait() == 0, first.stderr.read() if first.stderr else ""
    settled(env)
    before, target = tree_hash(env.resolve()), os.readlink(env)
    index.slow["beta"] = 30.0
    proc = start_setup(profile(tmp_path, "alpha==2.0", "beta==1.0"), env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert os.readlink(env) == target and tree_hash(env.resolve()) == before
    assert sorted(p.name for p in (tmp_path / "env.llmenv").glob("gen-*")) == [Path(target).name]
    assert version_in(env) == "1.0"


def test_sigkill_mid_update_then_next_run_recovers(index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    assert start_setup(profile(tmp_path, "alpha==1.0"), env).wait() == 0
    target = os.readlink(env)
    index.slow["beta"] = 30.0
    proc = start_setup(profile(tmp_path, "alpha==2.0", "beta==1.0"), env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    proc.kill()
    proc.wait()
    assert os.readlink(env) == target and version_in(env) == "1.0"  # the old env still works
    stale = [p for p in (tmp_path / "env.llmenv").glob("gen-*") if p.name != Path(target).name]
    assert stale, "the killed run left its half-built generation"
    index.slow.clear()
    retry = start_setup(profile(tmp_path, "alpha==2.0", "beta==1.0"), env)
    _out, err = retry.communicate(timeout=120)
    assert retry.returncode == 0, err
    assert version_in(env) == "2.0"
    # Cleaned by the next run, under the lock; its number was never committed, so the retry may take it again.
    assert all(not p.exists() or p == env.resolve() for p in stale)
    assert int(env.resolve().name[4:]) == int(Path(target).name[4:]) + 1  # numbers count committed generations


def test_two_concurrent_setups_serialize(index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    index.slow["beta"] = 3.0
    first = start_setup(spec, env)
    wait_for(lambda: (tmp_path / "env.llmenv" / "lock").exists())
    second = start_setup(spec, env)
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    outputs = sorted([out1, out2], key=lambda o: "up to date" in o)
    assert outputs[0].startswith("Created") and "is up to date" in outputs[1]
    assert "waiting: another setup holds" in err1 + err2
    assert len(list((tmp_path / "env.llmenv").glob("gen-*"))) == 1


def test_lock_timeout_fails_clearly(index: IndexServer, tmp_path: Path) -> None:
    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    index.slow["beta"] = 20.0
    first = start_setup(spec, env)
    wait_for(lambda: any("beta" in r for r in index.downloads()))
    second = start_setup(spec, env, "--lock-timeout", "1")
    _out, err = second.communicate(timeout=60)
    first.kill()
    first.wait()
    assert second.returncode == 2 and "did not finish within 1 s" in err


def test_lock_then_setup_installs_with_hash_checking(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    locked = cli("lock", str(spec))
    assert locked.code == 0, locked.err
    lock_file = Path(locked.out.split("wrote ")[1].strip())
    assert lock_file.parent == tmp_path and lock_file.name.startswith("tiny.cpu.py")
    text = lock_file.read_text()
    assert "alpha==1.0" in text and "--hash=sha256:" in text
    env = tmp_path / "env"
    result = cli("setup", str(spec), "--env", str(env), "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["lock_file"] == str(lock_file) and plan["lock_sha256"]
    # A tampered hash must stop the install (and leave the env as it was).
    target = os.readlink(env)
    lock_file.write_text(re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text))
    tampered = cli("setup", str(spec), "--env", str(env))
    assert tampered.code == 4 and "hash" in tampered.err.lower(), tampered.err
    assert os.readlink(env) == target


def test_stale_lock_is_ignored_with_a_warning(
    cli: Callable[..., CliResult], index: IndexServer, tmp_path: Path
) -> None:
    assert cli("lock", str(profile(tmp_path, "alpha==1.0"))).code == 0
    result = cli("setup", str(profile(tmp_path, "alpha==2.0")), "--env", str(tmp_path / "env"), "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["lock_file"] is None and any("locked from another version" in w for w in plan["warnings"])
    assert version_in(tmp_path / "env") == "2.0"


def test_offline_rebuild_uses_only_the_cache(
    cli: Callable[..., CliResult], wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / "env"
    spec = profile(tmp_path, "alpha==1.0", "beta==1.0")
    with serve(IndexServer(wheels)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        assert cli("setup", str(spec), "--env", str(env)).code == 0
    # The index is gone now: an online rebuild fails, an offline one is served from uv's cache.
    assert cli("setup", str(spec), "--env", str(env), "--force").code == 4
    offline = cli("setup", str(spec), "--env", str(env), "--force", "--offline", "--json")
    assert offline.code == 0, offline.err
    assert json.loads(offline.out)["plan"]["offline"] is True and version_in(env) == "1.0"
