"""The exported image installs from the hashed lock: `llmenv lock` then `llmenv export --format dockerfile` carries
the lock into the build context and the image's setup finds it (./llmenv-locks of its working folder). In the
user's world, PyPI served by a local mirror."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, serve_mirror, user_world

pytestmark = pytest.mark.skipif(not Path("/opt/pypi/simple/six").is_dir(), reason="needs the /opt/pypi copy")


def test_export_carries_the_hashed_lock_into_the_image(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the Dockerfile ran `llmenv setup` with no lock, so the image resolved its pins anew."""
    user_world(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    profile = tmp_path / "tiny.yaml"
    profile.write_text("name: tiny\npython: '>=3.10'\npackages: ['six==1.17.0']\nchecks:\n  imports: [six]\n")
    without = cli("export", str(profile), "--format", "dockerfile", "-o", str(tmp_path / "a" / "Dockerfile"))
    assert without.code == 0, without.err
    assert "No hashed lock for this image" in (tmp_path / "a" / "Dockerfile").read_text()
    with serve_mirror(MirrorHost()) as host:
        monkeypatch.setenv("PIP_INDEX_URL", f"{host.base}/pypi/simple")
        locked = cli("lock", str(profile))
    assert locked.code == 0, locked.err
    (lock,) = tmp_path.glob("tiny.*.lock.txt")
    result = cli("export", str(profile), "--format", "dockerfile", "-o", str(tmp_path / "b" / "Dockerfile"))
    assert result.code == 0, result.err
    dockerfile = (tmp_path / "b" / "Dockerfile").read_text()
    carried = tmp_path / "b" / "llmenv-locks" / lock.name
    assert carried.read_text() == lock.read_text() and "--hash=sha256:" in carried.read_text()
    assert f'COPY ["llmenv-locks/{lock.name}", "/opt/llmenv/work/llmenv-locks/{lock.name}"]' in dockerfile
    setup_line = next(i for i, line in enumerate(dockerfile.splitlines()) if '"setup"' in line)
    assert dockerfile.splitlines().index("WORKDIR /opt/llmenv/work") < setup_line
    hadolint = Path(__file__).parents[2] / ".venv-dev" / "bin" / "hadolint"
    if hadolint.exists():
        lint = subprocess.run([str(hadolint), "--failure-threshold", "info", "-"], input=dockerfile, text=True,
                              capture_output=True)  # fmt: skip
        assert lint.returncode == 0, lint.stdout
