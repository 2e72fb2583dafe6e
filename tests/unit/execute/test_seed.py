"""The pip wheel found by reading virtualenv's tables is the one virtualenv's own `get_embed_wheel` returns, for every
Python version, and a damaged wheel or an unreadable table is caught rather than trusted."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from virtualenv.seed.wheels.embed import BUNDLE_SUPPORT, get_embed_wheel

from llmenv.errors import ExitCode, HostError
from llmenv.execute.installers import seed
from llmenv.execute.installers.seed import bundled_wheel

VERSIONS = ["3.7", "3.8", *BUNDLE_SUPPORT, "3.99"]


@pytest.mark.parametrize("minor", VERSIONS)
@pytest.mark.parametrize("distribution", ["pip", "setuptools", "wheel"])
def test_the_same_wheel_as_virtualenv_picks(distribution: str, minor: str) -> None:
    theirs = get_embed_wheel(distribution, minor)
    assert bundled_wheel(distribution, minor) == (None if theirs is None else Path(theirs.path))


def test_the_tables_are_read_not_imported() -> None:
    """The point of the module: the fast route is taken with virtualenv's current source (not the fallback)."""
    tables = seed._tables()
    assert tables is not None
    folder, support, digests = tables
    assert support == BUNDLE_SUPPORT
    assert all((folder / name).is_file() for name in digests)


def _copy_of_embed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    real = seed._tables()
    assert real is not None
    embed = tmp_path / "virtualenv" / "seed" / "wheels" / "embed"
    shutil.copytree(real[0], embed)

    spec = SimpleNamespace(submodule_search_locations=[str(tmp_path / "virtualenv")])
    monkeypatch.setattr(seed.importlib.util, "find_spec", lambda name: spec)
    return embed


def test_a_wheel_that_fails_its_checksum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embed = _copy_of_embed(tmp_path, monkeypatch)
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    wheel = embed / BUNDLE_SUPPORT[minor]["pip"]
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    with pytest.raises(HostError, match="SHA-256") as raised:
        bundled_wheel("pip", minor)
    assert raised.value.exit_code == ExitCode.HOST_UNSUITABLE and "--force-reinstall virtualenv" in str(raised.value)


def test_a_table_of_another_shape_falls_back_to_virtualenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embed = _copy_of_embed(tmp_path, monkeypatch)
    (embed / "__init__.py").write_text("BUNDLE_SUPPORT = build_the_table()\n")
    assert seed._tables() is None
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert bundled_wheel("pip", minor) == Path(get_embed_wheel("pip", minor).path)  # type: ignore[union-attr]
