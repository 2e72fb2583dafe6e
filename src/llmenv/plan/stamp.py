"""The env's stamp, typed: what setup decided when it built a generation, so later commands on the env (a re-run,
`doctor --env`, `smoke`, every printed fix) use what the user chose then. A flag given again wins, and a change
from the recorded choice is said in one line (`remembered_changes`).

Field-friendly: every field has a default, unknown fields are kept (`extra="allow"`), so a newer llmenv (or
another part of it, such as a smoke-passed record) adds an optional field without breaking older stamps, and an
older stamp still reads. Pure: no file is read here (execute/store.py reads and writes the file)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class StampMirror(BaseModel):
    """The mirror set the env was built with: its name, who asked for it, and each role's URL, redacted."""

    model_config = ConfigDict(extra="allow")

    name: str
    by: str = "--mirror"  # --mirror, LLMENV_MIRROR=, profile mirror:
    roles: dict[str, str] = {}


class EnvStamp(BaseModel):
    """`<generation>/llmenv-stamp.json`; its JSON Schema (`llmenv ci schema stamp`) is generated from this model."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, title="llmenv environment stamp")

    schema_: int = Field(2, alias="schema")
    key: str = ""
    llmenv_version: str = ""
    profile: str = ""
    profile_hash: str = ""
    profile_source: str = ""
    python: str | None = None
    python_version: str | None = None
    backend: str = ""
    accelerator: str = ""  # the build chosen (cpu, cuda, rocm, mps)
    accelerator_requested: str | None = None  # --accelerator as given (None: the profile's)
    variant: str | None = None
    variant_index_fallback: bool = False
    pypi_torch: dict[str, Any] | None = None
    requirements: list[str] = []
    created: float = 0.0
    checks: dict[str, int] = {}
    installed: dict[str, str] = {}
    host: dict[str, Any] = {}
    mirror: StampMirror | None = None  # None: no mirror set was used
    data: str | None = None  # the smoke data setup was given (--data), absolute

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_dict(cls, raw: Any) -> EnvStamp | None:
        """A stamp as read from disk; None when it is not one (edited by hand, or from an unknown future)."""
        if not isinstance(raw, dict):
            return None
        try:
            return cls.model_validate(raw)
        except ValidationError:
            return None


def mirror_record(mirrors: Any) -> StampMirror | None:
    """The plan's mirror decision as the stamp keeps it (URLs redacted); None when none was asked for."""
    from llmenv.redact import redact_url

    if mirrors.requested is None or mirrors.requested in ("upstream", "none"):
        return None
    roles = {r.role: redact_url(r.url) for r in mirrors.roles if r.url}
    return StampMirror(name=mirrors.requested, by=mirrors.requested_by, roles=roles)


def remembered_changes(stamp: EnvStamp | None, mirror: str | None, accelerator: str | None) -> list[str]:
    """One line per choice a flag changed from what the env recorded (the flag wins)."""
    if stamp is None:
        return []
    out = []
    recorded = stamp.mirror.name if stamp.mirror else None
    if mirror is not None and recorded is not None and mirror != recorded:
        out.append(f"mirror {recorded} → {mirror} (the flag given now wins over the env's stamp)")
    before = stamp.accelerator_requested
    if accelerator is not None and before is not None and accelerator != before:
        out.append(f"--accelerator {before} → {accelerator} (the flag given now wins over the env's stamp)")
    return out


def stamp_schema() -> dict[str, Any]:
    """The stamp's JSON Schema, generated from the model (not written by hand)."""
    schema = EnvStamp.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://llmenv.dev/schema/stamp-1.json",
            **schema}  # fmt: skip


__all__ = ["EnvStamp", "StampMirror", "mirror_record", "remembered_changes", "stamp_schema"]
