"""The bundle's rules, pure: which member names are safe, when a bundle is refused, pip's target tags."""

from __future__ import annotations

from llmenv.plan.bundle import Manifest, Variant, pip_platforms, problems, safe_member

A, B, C = "a" * 64, "b" * 64, "c" * 64


def manifest(lock: bool = False) -> Manifest:
    m = Manifest("torch", "profile/torch.yaml", "0.1", "x86_64-manylinux_2_28", "3.11")
    m.members = {"wheels/a.whl": {"sha256": "aa", "size": 2}, "profile/torch.yaml": {"sha256": "bb", "size": 3}}
    if lock:
        m.variants.append(Variant("cpu", "cpu", "profile/torch.cpu.lock.txt"))
        m.members = {
            "wheels/a.whl": {"sha256": A, "size": 2},
            "profile/torch.yaml": {"sha256": B, "size": 3},
            "profile/torch.cpu.lock.txt": {"sha256": C, "size": 4},
        }
    return m


def test_matching_members_pass() -> None:
    assert problems(manifest(), {"wheels/a.whl": ("aa", 2), "profile/torch.yaml": ("bb", 3)}) == []


def test_altered_extra_and_missing_members_are_each_named() -> None:
    found = problems(manifest(), {"wheels/a.whl": ("ff", 2), "wheels/evil.whl": ("cc", 1)})
    assert found == [
        "wheels/a.whl: sha256 ff does not match the manifest's aa",
        "wheels/evil.whl: not listed in the manifest",
        "profile/torch.yaml: listed in the manifest but missing",
    ]


def test_manifest_round_trips() -> None:
    m = manifest(lock=True)
    assert Manifest.from_dict(m.to_dict()).to_dict() == m.to_dict()


def test_member_names_cannot_leave_the_folder() -> None:
    assert safe_member("wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
    for bad in ("../x", "/etc/passwd", "a/../../b", "wheels/", "a\\b", "", "a//b", "./x", "x/./y", "x\n", "x/.."):
        assert not safe_member(bad), bad


def test_pip_platforms_cover_older_glibc_tags() -> None:
    tags = pip_platforms("x86_64-manylinux_2_28")
    assert tags[0] == "manylinux_2_28_x86_64" and "manylinux_2_17_x86_64" in tags and "manylinux2014_x86_64" in tags
    assert pip_platforms("aarch64-apple-darwin") == ["macosx_11_0_arm64"]
    assert pip_platforms("x86_64-pc-windows-msvc") == ["win_amd64"]
