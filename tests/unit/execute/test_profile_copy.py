"""The env's own copy of its profile (execute/profile_copy.py): kept in every generation; the stamp names it when
the original lives in llmenv's unpacked bundle (a cache that may be cleared), the user's own file otherwise."""

from __future__ import annotations

from pathlib import Path

from llmenv.execute.bundle_scratch import MARKER
from llmenv.execute.profile_copy import PROFILE_COPY, from_unpacked_bundle, keep_profile, kept_copy

BODY = "name: tiny\npackages: ['alpha==1.0']\n"


def test_a_bundles_profile_is_named_by_the_envs_copy(tmp_path: Path) -> None:
    unpacked = tmp_path / "cache" / "bundles" / "0123456789abcdef"
    (unpacked / "profile").mkdir(parents=True)
    (unpacked / MARKER).write_text("b.tar")
    (unpacked / "profile" / "tiny.yaml").write_text(BODY)
    gen = tmp_path / "env.llmenv" / "gen-1"
    gen.mkdir(parents=True)
    named = keep_profile(gen, str(unpacked / "profile" / "tiny.yaml"))
    assert named == str(gen / PROFILE_COPY) and (gen / PROFILE_COPY).read_text() == BODY
    assert (gen / PROFILE_COPY).stat().st_mode & 0o022 == 0
    assert kept_copy(gen) == gen / PROFILE_COPY


def test_a_users_profile_file_keeps_its_path_and_a_copy(tmp_path: Path) -> None:
    """A folder named like a bundle's but without llmenv's marker is the user's: their path stays in the stamp."""
    mine = tmp_path / "bundles" / "profile" / "tiny.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text(BODY)
    gen = tmp_path / "gen-1"
    gen.mkdir()
    assert not from_unpacked_bundle(mine)
    assert keep_profile(gen, str(mine)) == str(mine) and (gen / PROFILE_COPY).read_text() == BODY


def test_no_source_file_means_no_copy(tmp_path: Path) -> None:
    gen = tmp_path / "gen-1"
    gen.mkdir()
    assert keep_profile(gen, "") == "" and keep_profile(gen, str(tmp_path / "gone.yaml")) == str(tmp_path / "gone.yaml")
    assert kept_copy(gen) is None and kept_copy(None) is None
