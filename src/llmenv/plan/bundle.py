"""What a bundle holds and how it is judged: member layout, the manifest, and the verdict on a member list.

Pure: the archive is read and written in execute/bundle_*.py. A bundle is a plain tar (wheels are compressed
already) whose `manifest.json` lists every other member with its sha256 and size; nothing in it is trusted until
its hash matches, and a member that is not listed, or a listed one that is missing, refuses the whole bundle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

MANIFEST = "manifest.json"
# The same hashes in `sha256sum -c` format, second member: scripts/bootstrap_bundle.sh checks with it (no JSON in sh).
SUMS = "SHA256SUMS"
FORMAT = 1
# Folders inside the archive, one job each.
# Locks sit beside the profile, where setup looks for the locks of any profile given as a path.
LOCKS, WHEELS, UV, SELF, PYTHON, DATA, PROFILE = "profile", "wheels", "uv", "llmenv", "python", "data", "profile"
_SAFE = re.compile(r"[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PYTHON = re.compile(r"3\.[0-9]{1,2}")


@dataclass(frozen=True)
class Variant:
    accelerator: str
    build: str  # cpu, cu126, ... (the lock file's build label)
    lock: str  # member path of its hashed lock


@dataclass
class Manifest:
    profile: str
    profile_member: str
    llmenv_version: str
    platform: str  # uv's --python-platform target
    python: str  # X.Y
    variants: list[Variant] = field(default_factory=list)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {sha256, size}
    python_archive: str | None = None
    data: str | None = None
    uv: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "profile": self.profile,
            "profile_member": self.profile_member,
            "llmenv_version": self.llmenv_version,
            "platform": self.platform,
            "python": self.python,
            "variants": [v.__dict__ for v in self.variants],
            "python_archive": self.python_archive,
            "data": self.data,
            "uv": self.uv,
            "notes": self.notes,
            "members": dict(sorted(self.members.items())),
        }

    @classmethod
    def from_dict(cls, raw: Any, source: str = MANIFEST) -> Manifest:
        """A typed manifest, or an InputError naming the key: wrong types, a member name that is not canonical,
        a hash that is not 64 hex digits, and a path (profile, lock, uv, Python, data) that is not a member."""
        from llmenv.door.files import MANIFEST as KIND
        from llmenv.door.jsondoc import Fields

        fields = Fields(raw, source, KIND)
        if raw.get("format") != FORMAT or isinstance(raw.get("format"), bool):
            fields.fail("format", f"unknown bundle format (this llmenv reads format {FORMAT})")
        members: dict[str, dict[str, Any]] = {}
        listed = fields.child("members")
        for name in listed.raw:
            entry = listed.child(name) if safe_member(name) else listed.fail("", "a member name is not canonical")
            sha, size = entry.text("sha256"), entry.integer("size")
            if not _SHA256.fullmatch(sha) or size < 0:
                entry.fail("", "expected a 64-digit lower-case sha256 and a size of 0 or more bytes")
            members[name] = {"sha256": sha, "size": size}
        variants = []
        for index, item in enumerate(fields.items("variants")):
            variant = fields.child(f"variants[{index}]", item)
            variants.append(Variant(variant.text("accelerator"), variant.text("build"), variant.text("lock")))
        manifest = cls(
            profile=fields.text("profile"),
            profile_member=fields.text("profile_member"),
            llmenv_version=fields.text("llmenv_version"),
            platform=fields.text("platform"),
            python=fields.text("python"),
            variants=variants,
            members=members,
            python_archive=fields.text_or_none("python_archive"),
            data=fields.text_or_none("data"),
            uv=fields.text_or_none("uv"),
            notes=fields.strings("notes", optional=True),
        )
        for key, path in manifest.named_paths():
            if path not in members:
                fields.fail(key, "names a file that is not a member of the bundle")
        if not _PYTHON.fullmatch(manifest.python):
            fields.fail("python", "expected a Python version X.Y")
        # Words that reach messages and pasted fixes (`llmenv setup --bundle FILE PROFILE`): plain names only.
        for key, value in (("profile", manifest.profile), ("platform", manifest.platform)):
            if not _WORD.fullmatch(value):
                fields.fail(key, "expected a plain name (letters, digits, '.', '_', '-')")
        for index, chosen in enumerate(manifest.variants):
            if not (_WORD.fullmatch(chosen.accelerator) and _WORD.fullmatch(chosen.build)):
                fields.fail(f"variants[{index}]", "expected plain names for accelerator and build")
        return manifest

    def named_paths(self) -> list[tuple[str, str]]:
        """(key, member) for every file the manifest points setup at: each must be a listed member."""
        out = [("profile_member", self.profile_member)]
        out += [(f"variants[{i}].lock", v.lock) for i, v in enumerate(self.variants)]
        out += [(k, v) for k, v in (("python_archive", self.python_archive), ("data", self.data), ("uv", self.uv)) if v]
        return out


def sums_text(manifest: Manifest) -> str:
    return "".join(f"{m['sha256']}  {name}\n" for name, m in sorted(manifest.members.items()))


def safe_member(name: str) -> bool:
    """Canonical: relative, plain characters, no empty, `.` or `..` part, no trailing newline (`fullmatch`, not
    `$`), so a member can only land inside the folder it is unpacked into and one file has exactly one name."""
    if not isinstance(name, str) or len(name) > 512 or not _SAFE.fullmatch(name):
        return False
    return all(part not in (".", "..") for part in name.split("/")) and not PurePosixPath(name).is_absolute()


def problems(manifest: Manifest, seen: dict[str, tuple[str, int]]) -> list[str]:
    """Why a bundle must be refused, given each member's (sha256, size) as read: empty when every member matches."""
    out = []
    for name, (digest, size) in sorted(seen.items()):
        want = manifest.members.get(name)
        if want is None:
            out.append(f"{name}: not listed in the manifest")
        elif want.get("size") != size:
            out.append(f"{name}: {size:,} bytes, the manifest says {want.get('size'):,}")
        elif want.get("sha256") != digest:
            out.append(f"{name}: sha256 {digest} does not match the manifest's {want.get('sha256')}")
    out += [f"{name}: listed in the manifest but missing" for name in sorted(set(manifest.members) - set(seen))]
    return out


def platform_family(uv_platform: str) -> tuple[str, str]:
    """(architecture, system family) of uv's target: what must match between a bundle and the host."""
    arch, _, system = uv_platform.partition("-")
    family = "linux" if "linux" in system else system
    return arch, family


_PLATFORM = re.compile(
    r"(x86_64|aarch64|i686|armv7|ppc64le|s390x|riscv64)-"
    r"(manylinux_2_[0-9]{1,2}|musllinux_1_[0-9]|apple-darwin|pc-windows-msvc|unknown-linux-gnu|unknown-linux-musl)"
)


def check_platform(value: str) -> str:
    """A `--platform` that names a target uv and pip both know (architecture-system), or a usage error: anything
    else would reach the installers and fail as an install error (exit 4) after minutes of locking."""
    if _PLATFORM.fullmatch(value):
        return value
    from llmenv.errors import UsageError

    raise UsageError(
        "--platform is not a target llmenv can bundle for",
        where="--platform",
        fix="give architecture-system as uv names it, e.g. x86_64-manylinux_2_28, aarch64-manylinux_2_28, "
        "aarch64-apple-darwin or x86_64-pc-windows-msvc",
    )


def pip_platforms(uv_platform: str) -> list[str]:
    """uv's target (`x86_64-manylinux_2_28`) -> pip download's --platform tags."""
    arch, _, system = uv_platform.partition("-")
    if system.startswith("manylinux_"):
        # pip does not widen a PEP 600 tag to older glibc versions by itself: list them, newest first.
        glibc = int(system.rsplit("_", 1)[-1])
        tags = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc, 16, -1)]
        return [*tags, f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}", f"linux_{arch}"]
    if system == "apple-darwin":
        return ["macosx_11_0_arm64"] if arch == "aarch64" else ["macosx_10_13_x86_64"]
    if system == "pc-windows-msvc":
        return ["win_amd64"] if arch == "x86_64" else ["win_arm64"]
    return [f"linux_{arch}"]


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{size} B"
        value /= 1024
    return f"{size} B"


__all__ = [
    "DATA",
    "LOCKS",
    "MANIFEST",
    "PROFILE",
    "PYTHON",
    "SELF",
    "SUMS",
    "UV",
    "WHEELS",
    "Manifest",
    "Variant",
    "check_platform",
    "human_size",
    "pip_platforms",
    "platform_family",
    "problems",
    "safe_member",
    "sums_text",
]
