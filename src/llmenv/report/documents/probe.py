"""`llmenv probe --json` (schema `llmenv.probe/1`): the host facts alone."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import Envelope, Facts


class ProbeDocument(Envelope):
    model_config = ConfigDict(title="llmenv probe --json")

    schema_: Literal["llmenv.probe/1"] = Field(alias="schema")
    facts: Facts


__all__ = ["ProbeDocument"]
