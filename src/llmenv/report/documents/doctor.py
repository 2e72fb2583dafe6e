"""`llmenv doctor --json` (schema `llmenv.doctor/1`): the verdict, every finding, the plan setup would make, the
host facts."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import Envelope, ExitCode, Facts, Finding, Plan, StringOrNull


class DoctorDocument(Envelope):
    model_config = ConfigDict(title="llmenv doctor --json")

    schema_: Literal["llmenv.doctor/1"] = Field(alias="schema")
    verdict: Literal["ok", "warn", "fail"]
    exit_code: ExitCode
    profile: StringOrNull
    profile_is_default: bool = False
    profile_from_stamp: bool = False
    accelerator: str
    env: StringOrNull = None
    summary: dict[str, int]
    findings: list[Finding]
    plan: Plan | None = Field(
        None, description="the plan `llmenv setup` would make here; null where setup would refuse"
    )
    facts: Facts
    seconds: float = 0.0


__all__ = ["DoctorDocument"]
