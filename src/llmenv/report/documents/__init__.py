"""The typed `--json` documents (one module each) and their JSON Schemas, generated from the models.

`llmenv ci schema NAME` prints `schemas()[NAME]`; docs/schemas/NAME-VERSION.json are the same, written by
scripts/gen_schema.py and kept equal by a test. A document's version is the number after the slash in its
`schema` field (`llmenv.doctor/1`); it goes up only when a field changes meaning or goes away, since adding a field
keeps old parsers working (every model allows extra keys)."""

from __future__ import annotations

from typing import Any, get_args

BASE = "https://llmenv.dev/schema"
NAMES = ("doctor", "probe", "setup", "smoke", "merge", "error", "stamp", "cache-key", "profiles-list", "profiles-show")


def schema_field(model: Any) -> str:
    """The `schema` value a document model accepts (its one Literal), such as `llmenv.doctor/1`."""
    return str(get_args(model.model_fields["schema_"].annotation)[0])


def _generated(name: str, model: Any) -> dict[str, Any]:
    """The model's JSON Schema (draft 2020-12) with the `$schema` and `$id` a published schema carries; the `$id`
    carries the version of the document's `schema` field (1 for the two outputs without one, documents/listings)."""
    version = schema_field(model).rsplit("/", 1)[1] if "schema_" in getattr(model, "model_fields", {}) else "1"
    body: dict[str, Any] = model.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{BASE}/{name}-{version}.json", **body}


def models() -> dict[str, Any]:
    """Each `--json` document's model by schema name (the stamp's is plan/stamp.py's EnvStamp)."""
    from llmenv.report.documents import doctor, error, listings, merge, probe, setup, smoke

    return {
        "doctor": doctor.DoctorDocument,
        "probe": probe.ProbeDocument,
        "setup": setup.SetupDocument,
        "smoke": smoke.SmokeDocument,
        "merge": merge.MergeDocument,
        "error": error.ErrorDocument,  # written as a plain dict (errors.error_document): see documents/error.py
        "cache-key": listings.CacheKeyDocument,
        "profiles-list": listings.ProfileList,
        "profiles-show": listings.ProfileView,
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Every published schema by name. Imported only when asked for: the models cost import time."""
    from llmenv.plan.stamp import stamp_schema

    made = {name: _generated(name, model) for name, model in models().items()}
    made["stamp"] = stamp_schema()  # the env's stamp, typed in plan/stamp.py
    return {name: made[name] for name in NAMES}


def file_name(name: str) -> str:
    """The published file of a schema: NAME-VERSION.json, VERSION from its `$id`."""
    return str(schemas()[name]["$id"]).rsplit("/", 1)[1]


__all__ = ["BASE", "NAMES", "file_name", "models", "schema_field", "schemas"]
