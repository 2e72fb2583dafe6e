"""The document every `--json` command prints on stdout when it fails (schema `llmenv.error/1`), so a script never
parses an empty stdout. llmenv.errors.error_document writes it as a plain dict, on purpose: the failure path
(Ctrl-C included) must not wait on pydantic or fail in it; a test keeps that dict and this model equal."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import Part, StringOrNull


class Issue(Part):
    """One problem in a profile file (ProfileError), with where it is."""

    file: str
    line: int | None
    key: str
    message: str
    fix: StringOrNull


class ErrorBody(Part):
    type: str = Field(description="the error's class, such as UsageError or HostError")
    message: str
    where: StringOrNull
    fix: StringOrNull
    issues: list[Issue] = Field(default_factory=list, description="a profile's problems (ProfileError only)")


class ErrorDocument(Part):
    model_config = ConfigDict(title="llmenv --json on failure")

    schema_: Literal["llmenv.error/1"] = Field(alias="schema")
    status: Literal["error"]
    exit_code: int = Field(ge=1, description="the README's exit codes: 2 usage, 3 host, 4 install, 70 bug, ...")
    error: ErrorBody


__all__ = ["ErrorDocument"]
