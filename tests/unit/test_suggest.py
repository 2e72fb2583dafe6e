"""Did-you-mean suggestions for typed names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.errors import ProfileError
from llmenv.profiles.load import load_profile
from llmenv.suggest import closest, did_you_mean
from tests.conftest import CliResult


def test_typos_find_the_name() -> None:
    assert closest("torhc", ["full", "tf", "torch", "transformers"]) == "torch"
    assert closest("TRANSFROMERS", ["torch", "transformers"]) == "transformers"
    assert closest("xyz", ["torch", "keras"]) is None
    assert did_you_mean("kreas", ["torch", "keras", "transformers"]).startswith("did you mean 'keras'?")
    assert did_you_mean("zzz", ["a", "b"]) == "use one of: a, b"


def test_a_mistyped_profile_name_gets_a_suggestion_as_its_fix() -> None:
    """Failed before: `llmenv setup torhc` listed the names, with "correct the profile" as the fix."""
    with pytest.raises(ProfileError) as info:
        load_profile("torhc")
    text = info.value.render()
    assert text.splitlines()[-1].startswith("Fix: did you mean 'torch'?")


def test_cli_names_get_suggestions(cli: Callable[..., CliResult]) -> None:
    for args, fix in [
        (("ci", "schema", "doctr"), "Fix: did you mean 'doctor'?"),
        (("profiles", "show", "torch", "--accelerator", "cdua"), "Fix: did you mean 'cuda'?"),
        (("export", "torch", "--format", "dockerfiel"), "Fix: did you mean 'dockerfile'?"),
        (("smoke", "--framework", "troch"), "Fix: did you mean 'torch'?"),
        (("setup", "--shell", "fsh"), "Fix: did you mean 'fish'?"),
    ]:
        result = cli(*args)
        assert result.code == 2 and fix in result.err, (args, result.err)


def test_bad_smoke_data_errors_say_how_to_fix(tmp_path: Path) -> None:
    """Failed before: these DataErrors had no Fix line."""
    from llmenv.errors import LlmenvError
    from llmenv.verify.smoke.data import read_csv

    bad = tmp_path / "bad.csv"
    for content in ("review_text,stars\nfine,5\n", "text,label\nfine,maybe\n"):
        bad.write_text(content)
        with pytest.raises(LlmenvError) as info:
            list(read_csv(bad))
        assert "\nFix: " in info.value.render()
