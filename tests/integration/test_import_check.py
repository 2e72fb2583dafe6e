"""The import check payload: a module, or the tutorial's `from transformers import BertForSequenceClassification`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llmenv.verify.env.plumbing import payload


def check(name: str) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-I", payload("import_check.py"), name], capture_output=True, text=True, timeout=60
    )
    return done.returncode, json.loads(done.stdout)


def test_from_import_checks_the_name_exists() -> None:
    code, answer = check("from json import JSONDecoder")
    assert code == 0 and answer["ok"] is True and answer["module"] == "from json import JSONDecoder"
    code, answer = check("from json import NoSuchThing")
    assert code == 1 and answer["ok"] is False and "NoSuchThing" in str(answer["error"])


@pytest.mark.parametrize("name", ["json; import os", "from json import (JSONDecoder)", "__import__('os')"])
def test_anything_else_is_a_module_name_that_does_not_exist(name: str) -> None:
    code, answer = check(name)
    assert code == 1 and answer["ok"] is False
