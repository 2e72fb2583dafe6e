"""Where profiles come from, in a fixed order: an explicit path, ./profiles/, the user config folder, built-ins.

The order lets a project or a user shadow a built-in profile by name without editing llmenv.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from llmenv.errors import NotRegularFile, ProfileError, ProfileIssue
from llmenv.suggest import did_you_mean

SUFFIXES = (".yaml", ".yml")
MAX_PROFILE_BYTES = 1024 * 1024  # profiles are a few KB; a bigger file is not one
REGULAR_FIX = "give the path of a YAML profile file (a FIFO, device or folder cannot be read as one)"


def read_regular_text(path: Path, limit: int = MAX_PROFILE_BYTES) -> str:
    """Read a profile file, refusing anything but a regular file of bounded size.

    Opened non-blocking and checked with fstat on the open descriptor, so a FIFO swapped in after a check cannot
    make the read wait for a writer that never comes."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"{path} is not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise NotRegularFile(f"{path} is {info.st_size:,} bytes: too large for a profile (limit {limit:,})")
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(limit + 1)
    finally:
        if fd >= 0:
            os.close(fd)
    return data.decode("utf-8")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a folder"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a plain file"


@dataclass(frozen=True)
class Located:
    path: Path
    origin: str  # "path" | "project" | "user" | "builtin"


def builtin_dir() -> Path:
    """The shipped profiles: inside the wheel, or the repository's top-level profiles/ in a source checkout."""
    packaged = Path(str(resources.files("llmenv"))) / "builtin_profiles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "profiles"


def config_dir() -> Path:
    """llmenv's config folder: LLMENV_CONFIG_DIR, else the platform's (holds profiles/ and mirrors.yaml)."""
    from platformdirs import user_config_path

    override = os.environ.get("LLMENV_CONFIG_DIR")
    return Path(override) if override else user_config_path("llmenv", appauthor=False)


def user_dir() -> Path:
    return config_dir() / "profiles"


def search_dirs(cwd: Path | None = None) -> list[tuple[str, Path]]:
    return [
        ("project", (cwd or Path.cwd()) / "profiles"),
        ("user", user_dir()),
        ("builtin", builtin_dir()),
    ]


def looks_like_path(ref: str) -> bool:
    return ref.endswith(SUFFIXES) or "/" in ref or os.sep in ref


def locate(ref: str, *, cwd: Path | None = None) -> Located:
    if looks_like_path(ref):
        path = Path(ref) if Path(ref).is_absolute() else (cwd or Path.cwd()) / ref
        if path.is_file():
            return Located(path, "path")
        if path.exists():
            kind = _kind(path.stat().st_mode)
            raise ProfileError([ProfileIssue(ref, None, "", f"{path} is not a regular file ({kind})", REGULAR_FIX)])
        raise ProfileError(
            [ProfileIssue(ref, None, "", "no such profile file", "check the path, or give a profile name")]
        )
    for origin, folder in search_dirs(cwd):
        for suffix in SUFFIXES:
            candidate = folder / f"{ref}{suffix}"
            if candidate.is_file():
                return Located(candidate, origin)
    names = sorted({name for name, _ in list_available(cwd)})
    error = ProfileError(
        [ProfileIssue(ref, None, "", f"no profile named '{ref}' in {', '.join(str(d) for _, d in search_dirs(cwd))}")]
    )
    # The fix is the name the user probably meant, not "correct the profile": there is no file to correct.
    error.fix = did_you_mean(ref, names) if names else "give a path to a profile file"
    raise error


def list_available(cwd: Path | None = None) -> list[tuple[str, Located]]:
    """Every profile file by name, first match winning, in lookup order."""
    found: dict[str, Located] = {}
    for origin, folder in search_dirs(cwd):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in SUFFIXES and path.is_file():
                found.setdefault(path.stem, Located(path, origin))
    return sorted(found.items())


__all__ = [
    "MAX_PROFILE_BYTES",
    "REGULAR_FIX",
    "Located",
    "NotRegularFile",
    "builtin_dir",
    "config_dir",
    "list_available",
    "locate",
    "looks_like_path",
    "read_regular_text",
    "search_dirs",
    "user_dir",
]
