"""The env remembers how it was built: a set given once with --mirror is used by `doctor --env`, by a re-run that
must repair (a package removed), and by every printed fix; a flag given again wins and the change is said. In the
user's world: no pip configuration, the user's own index down, one mirror on 127.0.0.1 serving PyPI's files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, dead_port, serve_mirror, user_world
from tests.integration.test_mirrors import write_sets

HAVE_SIX = Path("/opt/pypi/simple/six").is_dir()
pytestmark = pytest.mark.skipif(not HAVE_SIX, reason="needs the /opt/pypi copy")


@pytest.fixture
def campus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    user_world(monkeypatch, tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{dead_port()}/simple")  # behind the firewall
    with serve_mirror(MirrorHost()) as host:
        write_sets(config, {"campus": {"pypi": f"{host.base}/pypi/simple"}})
        profile = tmp_path / "tiny.yaml"
        profile.write_text("name: tiny\npython: '>=3.10'\npackages: ['six==1.17.0']\nchecks:\n  imports: [six]\n")
        yield profile


def test_doctor_rerun_repair_and_fixes_use_the_mirror_the_env_was_built_with(
    cli: Callable[..., CliResult], campus: Path, tmp_path: Path
) -> None:
    """Before: doctor --env exited 1 on a healthy env built with --mirror (it judged upstream), its fixes omitted
    --mirror, and a re-run without --mirror that had to repair failed with exit 4."""
    env = tmp_path / "env"
    built = cli("setup", str(campus), "--env", str(env), "--mirror", "campus", "--skip-smoke")
    assert built.code == 0, built.err
    stamp = json.loads((env / "llmenv-stamp.json").read_text())
    assert stamp["mirror"]["name"] == "campus" and stamp["mirror"]["roles"]["pypi"].endswith("/pypi/simple")

    doctor = json.loads(cli("doctor", "--env", str(env), "--json").out)
    failing = [f["id"] for f in doctor["findings"] if f["status"] == "fail"]
    assert failing == [], failing
    mirror = {f["id"]: f for f in doctor["findings"]}["network.mirror.pypi"]
    assert mirror["status"] == "ok" and "campus" in mirror["title"]

    python = env / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", "six"], check=False, capture_output=True)
    if subprocess.run([str(python), "-c", "import six"], capture_output=True).returncode == 0:
        (next((env / "lib").glob("python*/site-packages")) / "six.py").unlink()  # a venv made without pip
    broken = json.loads(cli("doctor", "--env", str(env), "--json").out)
    fixes = [f["fix"] for f in broken["findings"] if f["status"] == "fail" and f["fix"] and "llmenv setup" in f["fix"]]
    assert fixes and all("--mirror campus" in fix for fix in fixes), fixes

    repaired = cli("setup", str(campus), "--env", str(env), "--skip-smoke")
    assert repaired.code == 0, repaired.err
    assert "Repaired" in repaired.out

    switched = cli("setup", str(campus), "--env", str(env), "--skip-smoke", "--mirror", "upstream", "--dry-run")
    assert "mirror campus → upstream" in switched.err + switched.out
