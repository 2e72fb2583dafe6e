"""Opening a bundle: written and read for real (small files, no processes); one altered byte refuses it all."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from llmenv.errors import BundleError, ExitCode
from llmenv.execute.bundle_build import write_archive
from llmenv.execute.bundle_open import open_bundle
from llmenv.plan.bundle import MANIFEST, Manifest


def make(tmp_path: Path) -> Path:
    stage = tmp_path / "stage"
    (stage / "wheels").mkdir(parents=True)
    (stage / "profile").mkdir()
    (stage / "wheels" / "demo-1.0-py3-none-any.whl").write_bytes(b"wheel bytes")
    (stage / "profile" / "demo.yaml").write_text("name: demo\n")
    manifest = Manifest("demo", "profile/demo.yaml", "0.1", "x86_64-manylinux_2_28", "3.11")
    write_archive(stage, manifest, tmp_path / "demo.tar", lambda s: None)
    return tmp_path / "demo.tar"


def rewrite(source: Path, target: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> Path:
    """Copy a bundle, replacing (or dropping, with None) members, keeping its manifest as it was."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old:
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            if member.name in change:
                if change[member.name] is None:
                    continue
                data = change[member.name] or b""
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_a_good_bundle_opens_with_every_member_checked(tmp_path: Path) -> None:
    manifest, folder = open_bundle(make(tmp_path), tmp_path / "root")
    assert manifest.profile == "demo" and set(manifest.members) == {"wheels/demo-1.0-py3-none-any.whl",
                                                                    "profile/demo.yaml"}  # fmt: skip
    assert (folder / "wheels" / "demo-1.0-py3-none-any.whl").read_bytes() == b"wheel bytes"


@pytest.mark.parametrize(
    ("change", "add", "named"),
    [
        ({"wheels/demo-1.0-py3-none-any.whl": b"wheel byteZ"}, None, "wheels/demo-1.0-py3-none-any.whl: sha256"),
        ({"profile/demo.yaml": None}, None, "profile/demo.yaml: listed in the manifest but missing"),
        ({}, {"wheels/extra-1.0-py3-none-any.whl": b"x"}, "wheels/extra-1.0-py3-none-any.whl: not listed"),
        ({}, {"../escape.whl": b"x"}, '"../escape.whl" is not a plain file inside the bundle'),
        ({"SHA256SUMS": b"0" * 64 + b"  wheels/demo-1.0-py3-none-any.whl\n"}, None, "SHA256SUMS disagrees"),
    ],
)
def test_any_mismatch_refuses_the_bundle_and_leaves_nothing(
    tmp_path: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None, named: str
) -> None:
    bad = rewrite(make(tmp_path), tmp_path / "bad.tar", change, add)
    with pytest.raises(BundleError) as caught:
        open_bundle(bad, tmp_path / "root")
    assert caught.value.exit_code == ExitCode.USAGE and named in caught.value.render()
    assert "nothing was installed" in caught.value.render()
    assert list((tmp_path / "root").iterdir()) == []  # the scratch folder is gone
    assert not (tmp_path / "escape.whl").exists()


def test_not_a_bundle_is_refused_clearly(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(BundleError, match="not a readable bundle"):
        open_bundle(junk, tmp_path / "root")
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as archive:
        info = tarfile.TarInfo("wheels/a.whl")
        archive.addfile(info, io.BytesIO(b""))
    with pytest.raises(BundleError, match=f"first member is not {MANIFEST}"):
        open_bundle(plain, tmp_path / "root")


def test_a_carried_file_with_an_odd_name_gets_a_canonical_member_name(tmp_path: Path) -> None:
    """`bundle --data "my data (1).tar.gz"`: carried under a canonical name, so the bundle opens where it lands."""
    from llmenv.execute.bundle_build import add_file

    stage = tmp_path / "stage"
    (stage / "profile").mkdir(parents=True)
    (stage / "profile" / "demo.yaml").write_text("name: demo\n")
    odd = tmp_path / "my data (1).tar.gz"
    odd.write_bytes(b"data")
    manifest = Manifest("demo", "profile/demo.yaml", "0.1", "x86_64-manylinux_2_28", "3.11")
    manifest.data = add_file(odd, stage, "data")
    write_archive(stage, manifest, tmp_path / "b.tar", lambda s: None)
    opened, folder = open_bundle(tmp_path / "b.tar", tmp_path / "root")
    assert opened.data == "data/my_data__1_.tar.gz" and (folder / opened.data).read_bytes() == b"data"
