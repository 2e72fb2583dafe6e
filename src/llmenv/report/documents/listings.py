"""The two `--json` outputs that carry no `schema` field (they predate the versioned documents, and adding one
would change what scripts parse): `llmenv ci cache-key --json` and `llmenv profiles list --json`. Typed like the
others; their published schemas carry the version in the `$id` only (cache-key-1.json, profiles-1.json)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, RootModel

from llmenv.report.documents.parts import Part, StringOrNull


class CacheKeyDocument(Part):
    """The key and every input it hashes: the same inputs as the stamp's key, plus the platform."""

    model_config = ConfigDict(title="llmenv ci cache-key --json")

    key: str
    profile: str
    profile_hash: str
    accelerator: str
    variant: StringOrNull
    python: str
    platform: str
    requirements: list[str]
    lock_sha256: StringOrNull
    llmenv_version: str


class ProfileEntry(Part):
    """One findable profile: resolved (valid) with its summary, or broken with why."""

    name: str
    origin: str
    path: str
    description: str = ""
    python: str = ""
    accelerator: str = ""
    extends: list[str] = Field(default_factory=list)
    valid: bool
    error: StringOrNull = None


class ProfileList(RootModel[list[ProfileEntry]]):
    """Every profile llmenv can find, in lookup order (./profiles, user config, built-in)."""

    model_config = ConfigDict(title="llmenv profiles list --json")


__all__ = ["CacheKeyDocument", "ProfileEntry", "ProfileList"]
