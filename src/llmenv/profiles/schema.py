"""The published JSON Schema for profile files.

The schema is generated from `ProfileFile` and also shipped as `profile.schema.json`, so `llmenv profiles schema`
prints without importing pydantic and editors can point at the file; a test keeps the two identical.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

SCHEMA_ID = "https://llmenv.dev/schema/profile-v1.json"
SCHEMA_FILE = "profile.schema.json"


def build_schema() -> dict[str, Any]:
    from llmenv.profiles.model import ProfileFile

    schema = ProfileFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "llmenv profile",
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def schema_text() -> str:
    shipped = resources.files("llmenv.profiles").joinpath(SCHEMA_FILE)
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return render(build_schema())


__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "build_schema", "render", "schema_text"]
