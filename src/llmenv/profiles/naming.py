"""How a command line names a profile (for the commands llmenv prints: fixes, next steps)."""

from __future__ import annotations

from llmenv.profiles.model import Profile

DEFAULT_REF = "transformers"


def profile_ref(profile: Profile | None) -> str:
    """How to name the profile on a command line from any folder: built-in and user profiles by name, others by
    the path of their file (a ./profiles name only works from that folder)."""
    if profile is None:
        return DEFAULT_REF
    return profile.name if profile.origin in ("builtin", "user") else str(profile.source)


__all__ = ["DEFAULT_REF", "profile_ref"]
