"""What is installed in an environment, read from its site-packages without starting its Python.

A re-run of setup must notice that someone ran `pip install sympy==1.12` or `pip uninstall numpy` in the env, yet
cost almost nothing when nothing changed: the names of the `*.dist-info` folders carry every distribution's name
and version, so one directory listing is the fingerprint. Requirements (METADATA's Requires-Dist) are read only
when the listing differs from the stamp, to say which installed package a change breaks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

_SUFFIXES = (".dist-info", ".egg-info")


def normalize(name: str) -> str:
    """PEP 503 normalised project name, the key distributions are compared by."""
    return str(canonicalize_name(name))


def site_packages(env: Path) -> list[Path]:
    """The env's purelib folders: `lib/pythonX.Y/site-packages` (POSIX), `Lib/site-packages` (Windows)."""
    found = [p for p in (env / "lib").glob("python*/site-packages") if p.is_dir()]
    windows = env / "Lib" / "site-packages"
    return found + ([windows] if windows.is_dir() else [])


def installed_distributions(env: Path) -> dict[str, str]:
    """{normalised name: version} from the metadata folder names; an unreadable env gives {}."""
    out: dict[str, str] = {}
    for folder in site_packages(env):
        try:
            names = [entry.name for entry in folder.iterdir()]
        except OSError:
            continue
        for entry in names:
            suffix = next((s for s in _SUFFIXES if entry.endswith(s)), None)
            if suffix is None:
                continue
            # Wheel metadata folders escape '-' in the name to '_', so the last '-' separates the version;
            # legacy egg-info may add '-pyX.Y', which is dropped.
            stem = entry[: -len(suffix)]
            parts = stem.split("-")
            if len(parts) < 2:
                continue
            out[normalize(parts[0])] = parts[1]
    return out


@dataclass(frozen=True)
class Requires:
    """One Requires-Dist line of one installed distribution."""

    dependent: str
    dependent_version: str
    requirement: str


def requirements_in(env: Path) -> list[Requires]:
    """Every installed distribution's Requires-Dist lines (only the METADATA headers are read)."""
    out: list[Requires] = []
    for folder in site_packages(env):
        for meta in folder.glob("*.dist-info/METADATA"):
            stem = meta.parent.name[: -len(".dist-info")]
            name, _, version = stem.partition("-")
            try:
                with meta.open(encoding="utf-8", errors="replace") as handle:
                    for line in handle:
                        if not line.strip():
                            break  # the headers end at the first blank line; the long description follows
                        if line.startswith("Requires-Dist:"):
                            out.append(Requires(normalize(name), version, line.split(":", 1)[1].strip()))
            except OSError:
                continue
    return out


__all__ = ["Requires", "installed_distributions", "normalize", "requirements_in", "site_packages"]
