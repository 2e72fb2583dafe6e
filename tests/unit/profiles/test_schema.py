from __future__ import annotations

import json
from collections.abc import Callable

import jsonschema
import pytest

from llmenv.profiles.schema import SCHEMA_ID, build_schema, render, schema_text
from tests.conftest import CliResult


def test_shipped_schema_matches_the_model() -> None:
    # The shipped file is what editors read; regenerate it with scripts/gen_schema.py when the model changes.
    assert schema_text() == render(build_schema())


def test_cli_prints_the_schema(cli: Callable[..., CliResult]) -> None:
    result = cli("profiles", "schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["$id"] == SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "x", "pakages": []},
        {"name": "x", "accelerator": "gpu"},
        {"name": "x", "accelerators": {"tpu": {}}},
        {"name": "x", "smoke": {"min_accuracy": 0.5}},
        {"packages": ["torch==2.13.0"]},
    ],
)
def test_schema_rejects_what_the_loader_rejects(bad: dict[str, object]) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    assert list(validator.iter_errors(bad))
