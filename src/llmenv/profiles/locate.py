"""Where profiles come from, in a fixed order: an explicit path, ./profiles/, the user config folder, built-ins.

The order lets a project or a user shadow a built-in profile by name without editing llmenv.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from llmenv.errors import ProfileError, ProfileIssue
from llmenv.suggest import did_you_mean

SUFFIXES = (".yaml", ".yml")
REGULAR_FIX = "give the path of a YAML profile file (a FIFO, device or folder cannot be read as one)"


def _kind(mode: int) -> str:
    from llmenv.door.files import kind_of_mode

    return kind_of_mode(mode)


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

    from llmenv.door.environ import env_path

    return env_path("LLMENV_CONFIG_DIR") or user_config_path("llmenv", appauthor=False)


def user_dir() -> Path:
    return config_dir() / "profiles"


def own_checkout(folder: Path) -> bool:
    """Whether `folder` is the top of a clone of llmenv itself: its profiles/ are the built-ins' source, so they are
    built-ins, not a project's (`llmenv lock torch` in the clone must not write into its tracked profiles/)."""
    try:
        pyproject = (folder / "pyproject.toml").read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return False
    return (folder / "src" / "llmenv").is_dir() and 'name = "llmenv"' in pyproject


def search_dirs(cwd: Path | None = None) -> list[tuple[str, Path]]:
    top = cwd or Path.cwd()
    return [
        ("builtin" if own_checkout(top) else "project", top / "profiles"),
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
    "REGULAR_FIX",
    "Located",
    "builtin_dir",
    "config_dir",
    "list_available",
    "locate",
    "looks_like_path",
    "search_dirs",
    "user_dir",
]
