"""`llmenv report merge --json` (schema `llmenv.merge/1`): the nodes' reports side by side, the keys that differ
and the nodes that fail."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import Envelope, Part, StringOrNull


class Difference(Part):
    key: str
    baseline: str
    nodes: dict[str, str]


class NodeRow(Part):
    """One node's line: its setup status, accelerator, build, driver, doctor verdict, and what fails there."""

    setup: str
    accelerator: str
    build: str
    driver: str
    doctor: str
    problem: StringOrNull


class MergeDocument(Envelope):
    model_config = ConfigDict(title="llmenv report merge --json")

    schema_: Literal["llmenv.merge/1"] = Field(alias="schema")
    nodes: list[str]
    same: bool
    keys: int
    differences: list[Difference]
    verdicts: dict[str, str]
    per_node: dict[str, NodeRow]
    differ: list[str]
    failed: list[str]


__all__ = ["MergeDocument"]
