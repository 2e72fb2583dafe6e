"""The typed stamp: old stamps still read, unknown fields are kept (a later field, e.g. a smoke-passed record,
needs no migration), and a flag that changes a recorded choice is said."""

from __future__ import annotations

from llmenv.mirrors.decide import choose_mirrors
from llmenv.mirrors.sets import MirrorSet
from llmenv.plan.stamp import EnvStamp, StampMirror, mirror_record, remembered_changes


def test_a_schema_2_stamp_from_before_the_model_reads_and_round_trips() -> None:
    old = {"schema": 2, "key": "k", "profile": "torch", "python": "/usr/bin/python3", "python_version": "3.11.7",
           "installed": {"numpy": "2.2.6"}, "checks": {"ok": 3}}  # fmt: skip
    stamp = EnvStamp.from_dict(old)
    assert stamp is not None and stamp.mirror is None and stamp.accelerator_requested is None
    assert stamp.to_dict()["schema"] == 2 and stamp.to_dict()["installed"] == {"numpy": "2.2.6"}


def test_unknown_fields_are_kept_and_a_non_stamp_is_none() -> None:
    stamp = EnvStamp.from_dict({"schema": 2, "smoke": {"passed": True}})
    assert stamp is not None and stamp.to_dict()["smoke"] == {"passed": True}
    assert EnvStamp.from_dict(["not", "a", "stamp"]) is None
    assert EnvStamp.from_dict({"python": 3}) is None  # a field of the wrong type: not trusted


def test_the_mirror_is_recorded_by_name_with_redacted_urls() -> None:
    sets = {"corp": MirrorSet("corp", {"pypi": "https://u:secret@m.example/simple"})}
    record = mirror_record(choose_mirrors("corp", "--mirror", sets, "cpu"))
    assert record == StampMirror(name="corp", by="--mirror", roles={"pypi": "https://u:****@m.example/simple"})
    assert mirror_record(choose_mirrors(None, "", sets, "cpu")) is None
    assert mirror_record(choose_mirrors("upstream", "--mirror", sets, "cpu")) is None


def test_a_flag_that_changes_a_recorded_choice_is_one_line_each() -> None:
    stamp = EnvStamp(mirror=StampMirror(name="campus"), accelerator_requested="cpu")
    lines = remembered_changes(stamp, "auto", "cuda")
    assert len(lines) == 2 and lines[0].startswith("mirror campus → auto") and "--accelerator cpu → cuda" in lines[1]
    assert remembered_changes(stamp, "campus", None) == [] and remembered_changes(None, "x", "y") == []


def test_a_written_stamp_validates_against_the_schema_generated_from_the_model() -> None:
    import jsonschema

    from llmenv.plan.stamp import stamp_schema

    written = EnvStamp(key="k", mirror=StampMirror(name="campus", roles={"pypi": "http://m/simple"})).to_dict()
    assert written["schema"] == 2 and "schema_" not in written
    jsonschema.Draft202012Validator(stamp_schema()).validate(written)
    assert stamp_schema()["properties"]["mirror"]  # the field is in the schema without anyone writing it there
