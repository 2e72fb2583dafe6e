"""`llmenv setup --json` (schema `llmenv.setup/1`): what setup did, the plan it acted on, each step's time, the
verification's findings and the smoke test's result."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import Envelope, ExitCode, Finding, Part, Plan, StringOrNull
from llmenv.report.documents.smoke import SmokeBody


class Step(Part):
    name: str
    seconds: float
    detail: StringOrNull = None


class SetupDocument(Envelope):
    model_config = ConfigDict(title="llmenv setup --json")

    schema_: Literal["llmenv.setup/1"] = Field(alias="schema")
    status: Literal["planned", "created", "updated", "repaired", "up-to-date", "smoke-only"]
    exit_code: ExitCode
    env: str
    generation: StringOrNull = None
    plan: Plan
    changes: list[str] = Field(default_factory=list)
    steps: list[Step]
    findings: list[Finding]
    log: StringOrNull = None
    smoke: SmokeBody | None
    seconds: float = 0.0


__all__ = ["SetupDocument"]
