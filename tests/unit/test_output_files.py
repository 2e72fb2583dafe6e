"""paths.write_regular and paths.open_fresh: the two ways llmenv writes a file at a name the user gave (or beside
it). Neither writes through a link it should not follow (tests/hostile/test_output_links.py has the second-user
cases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmenv.paths import open_fresh, write_regular


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=64), st.booleans())
def test_open_fresh_replaces_whatever_is_at_the_name(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, link: bool
) -> None:
    folder = tmp_path_factory.mktemp("fresh")
    target, scratch = folder / "target", folder / "x.part"
    target.write_bytes(b"keep")
    if link:
        scratch.symlink_to(target)
    else:
        scratch.write_bytes(b"stale scratch")
    with open_fresh(scratch) as handle:
        handle.write(data)
    assert target.read_bytes() == b"keep" and not scratch.is_symlink() and scratch.read_bytes() == data


def test_write_regular_follows_ones_own_link_and_writes_bytes_or_text(tmp_path: Path) -> None:
    real, link = tmp_path / "real", tmp_path / "link"
    link.symlink_to(real)
    write_regular(link, "é\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "é\n"
    write_regular(real, b"\x00\x01")
    write_regular(real, b"\x02", append=True)
    assert real.read_bytes() == b"\x00\x01\x02"
