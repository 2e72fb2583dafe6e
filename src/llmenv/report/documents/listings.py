"""The `--json` outputs that carry no `schema` field (they predate the versioned documents, and adding one would
change what scripts parse): `llmenv ci cache-key --json`, `llmenv profiles list --json` and `llmenv profiles show
--json`. Typed like the others; their published schemas carry the version in the `$id` only (cache-key-1.json,
profiles-list-1.json, profiles-show-1.json)."""

from __future__ import annotations

from typing import Any

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


class ProfileView(Part):
    """One profile after `extends` is merged (profiles/model.py's Profile.to_dict: its content, where it came from,
    its hash) with its packages per accelerator. The parts a profile file writes are checked by the profile's own
    schema (profile.schema.json) when it is read; here they are shown as read."""

    model_config = ConfigDict(title="llmenv profiles show --json")

    name: str
    description: str
    python: str
    env: str
    accelerator: str
    packages: list[str]
    allow_unpinned: list[str]
    accelerators: dict[str, dict[str, Any]]
    checks: dict[str, Any]
    smoke: dict[str, Any] | None
    source: str
    origin: str
    chain: list[str]
    content_hash: str = Field(pattern="^[0-9a-f]{64}$")
    packages_by_accelerator: dict[str, list[str]]


__all__ = ["CacheKeyDocument", "ProfileEntry", "ProfileList", "ProfileView"]
