"""The typed `--json` documents (report/documents/): each command's output is its model dumped, and the published
JSON Schemas are generated from the same models, so the schema, the model and the output cannot drift apart."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from llmenv import errors
from llmenv.probe import FACT_NAMES, OPTIONAL_FACT_NAMES
from llmenv.profiles.model import CONCRETE_ACCELERATORS
from llmenv.report.documents import NAMES, file_name, models, schema_field, schemas
from llmenv.report.documents.doctor import DoctorDocument
from llmenv.report.documents.parts import AcceleratorChoice, Facts, build, dump
from tests.conftest import REPO, CliResult

RECORDED = json.loads((REPO / "tests" / "data" / "doctor-json-this-machine.json").read_text())


def test_every_published_schema_is_generated_and_shipped_as_generated() -> None:
    made = schemas()
    assert tuple(made) == NAMES
    for name, schema in made.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        shipped = REPO / "docs" / "schemas" / file_name(name)
        assert json.loads(shipped.read_text()) == schema, f"regenerate {shipped} with scripts/gen_schema.py"
    published = {path.name for path in (REPO / "docs" / "schemas").glob("*.json")}
    assert published == {file_name(name) for name in NAMES}  # no stale, hand-written file left beside them
    for name, model in models().items():
        assert made[name] == {**made[name], **model.model_json_schema(by_alias=True)}
        assert made[name]["$id"].endswith(f"/{name}-1.json")  # the version in the file name is the field's
        if name in ("cache-key", "profiles-list", "profiles-show"):
            continue  # documents/listings.py: no schema field, the version is in the $id only
        assert made[name]["properties"]["schema"]["const"] == schema_field(model) == f"llmenv.{name}/1"


def test_the_hand_kept_lists_the_models_repeat_stay_equal() -> None:
    assert set(Facts.model_fields) == {*FACT_NAMES, *OPTIONAL_FACT_NAMES, "env", "seconds"}
    assert set(Facts.model_json_schema()["required"]) == {*FACT_NAMES, "env"}
    assert AcceleratorChoice.model_json_schema()["properties"]["value"]["enum"] == list(CONCRETE_ACCELERATORS)


def test_a_recorded_document_round_trips_through_its_model_unchanged() -> None:
    """Same keys, same values, same order: users' parsers see what they saw before the documents were typed."""
    again = dump(DoctorDocument.model_validate(RECORDED))
    assert json.dumps(again) == json.dumps(RECORDED)
    probe = {"schema": "llmenv.probe/1", "llmenv_version": "0", "facts": RECORDED["facts"]}
    assert json.dumps(dump(models()["probe"].model_validate(probe))) == json.dumps(probe)


def test_profiles_list_prints_its_model_and_validates(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """A valid profile and a broken one (its entry says why, with no summary keys): both as they were printed."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "broken.yaml").write_text("name: broken\npackages: 3\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        printed = json.loads(cli("profiles", "list", "--json").out)
    jsonschema.Draft202012Validator(schemas()["profiles-list"]).validate(printed)
    broken = next(entry for entry in printed if entry["name"] == "broken")
    assert list(broken) == ["name", "origin", "path", "valid", "error"] and broken["valid"] is False
    torch = next(entry for entry in printed if entry["name"] == "torch")
    assert list(torch) == ["name", "origin", "path", "description", "python", "accelerator", "extends", "valid"]


@pytest.mark.parametrize("args", [("torch",), ("tf", "--accelerator", "cuda")])
def test_profiles_show_prints_its_model_and_validates(cli: Callable[..., CliResult], args: tuple[str, ...]) -> None:
    result = cli("profiles", "show", *args, "--json")
    assert result.code == 0, result.err
    printed = json.loads(result.out)
    jsonschema.Draft202012Validator(schemas()["profiles-show"]).validate(printed)
    assert json.dumps(dump(models()["profiles-show"].model_validate(printed)), indent=2) + "\n" == result.out
    assert list(printed)[-1] == "packages_by_accelerator"


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _leaves(item, (*path, index))]
    return [path]


LEAVES = [p for p in _leaves(RECORDED) if p and p[0] != "facts"] + [("facts", n, "seconds") for n in FACT_NAMES]
DOCTOR_SCHEMA = jsonschema.Draft202012Validator(schemas()["doctor"])
# Floats with a fraction only: JSON Schema counts 1.0 as an integer, where Python (and so the model) does not.
FRACTIONS = st.floats(-2, 2).filter(lambda number: not number.is_integer())
JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), FRACTIONS, st.sampled_from(["", "x", "ok", "fail", "0" * 64])
)


@settings(max_examples=150, deadline=None)
@given(where=st.sampled_from(LEAVES), value=JSON_VALUES)
def test_the_schema_and_the_model_agree_on_what_a_document_is(where: tuple[Any, ...], value: Any) -> None:
    """The class: any one-field change to a real document is accepted by the generated schema exactly when the
    model (read strictly, as from JSON) accepts it, so the published schema says what llmenv itself writes."""
    document = json.loads(json.dumps(RECORDED))
    target = document
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    by_schema = DOCTOR_SCHEMA.is_valid(document)
    try:
        DoctorDocument.model_validate_json(json.dumps(document), strict=True)
        by_model = True
    except ValidationError:
        by_model = False
    assert by_schema == by_model, (where, value)


@pytest.mark.parametrize("name", ["doctor", "probe", "setup", "smoke", "merge", "error"])
def test_a_document_with_a_wrong_type_is_refused_by_model_and_schema(name: str) -> None:
    wrong = {"schema": f"llmenv.{name}/2", "llmenv_version": "0"}
    assert not jsonschema.Draft202012Validator(schemas()[name]).is_valid(wrong)
    with pytest.raises(ValidationError):
        models()[name].model_validate(wrong)


FAILURES = [
    errors.UsageError("unknown accelerator 'cdua'", where="--accelerator", fix="did you mean cuda?"),
    errors.ProfileError([errors.ProfileIssue("p.yaml", 3, "python", "not a version", None)]),
    errors.ProfileError([errors.ProfileIssue("p.yaml", None, "packages", "empty", "add one")]),
    errors.HostError("no Python 3.10+ here"),
    errors.Interrupted("interrupted; nothing was changed"),
    errors.ChecksFailed("2 checks failed"),
]


@pytest.mark.parametrize("failure", FAILURES, ids=lambda e: type(e).__name__)
def test_the_failure_document_is_its_model_and_validates(failure: errors.LlmenvError) -> None:
    """errors.error_document stays a plain dict (the failure path does not import pydantic); this keeps it equal to
    the published model and schema, for every kind of error."""
    document = errors.error_document(failure)
    jsonschema.Draft202012Validator(schemas()["error"]).validate(document)
    assert json.dumps(dump(models()["error"].model_validate(document))) == json.dumps(document)


def test_a_document_that_does_not_fit_its_model_is_still_printed_and_the_bug_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A producer bug must not cost the user the document (a script waits on it after a long setup): it is printed
    as built, and stderr says where it departs from the schema, without the value (it may hold a credential)."""
    fields = json.loads(json.dumps(RECORDED))
    fields["findings"][0]["id"] = "Secret https://user:hunter2@host/x"
    assert build(DoctorDocument, fields) is fields
    err = capsys.readouterr().err
    assert "llmenv bug: the llmenv doctor --json document does not match its schema at findings.0.id" in err
    assert "hunter2" not in err and "Secret" not in err
    assert build(DoctorDocument, RECORDED) == RECORDED and capsys.readouterr().err == ""
