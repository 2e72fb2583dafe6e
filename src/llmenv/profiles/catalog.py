"""The list behind `llmenv profiles list`: every findable profile, resolved, or the reason it is broken."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.errors import ProfileError
from llmenv.profiles.load import read_profile_file, resolve
from llmenv.profiles.locate import list_available
from llmenv.profiles.model import Profile


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    origin: str
    path: str
    profile: Profile | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        base: dict[str, Any] = {"name": self.name, "origin": self.origin, "path": self.path}
        if self.profile is not None:
            base |= {
                "description": self.profile.description,
                "python": self.profile.python,
                "accelerator": self.profile.accelerator,
                "extends": list(self.profile.chain[1:]),
                "valid": True,
            }
        else:
            base |= {"valid": False, "error": self.error}
        return base


def catalog(cwd: Path | None = None) -> list[CatalogEntry]:
    entries = []
    for name, located in list_available(cwd):
        try:
            profile: Profile | None = resolve(read_profile_file(located.path, located.origin), cwd=cwd)
            error = None
        except ProfileError as exc:
            profile, error = None, exc.render()
        entries.append(CatalogEntry(name, located.origin, str(located.path), profile, error))
    return entries


__all__ = ["CatalogEntry", "catalog"]
