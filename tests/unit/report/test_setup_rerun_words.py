"""A re-run that installs nothing says nothing about installing.

Found by trying setup as a new user where only PyPI answers: `llmenv setup torch --skip-smoke`, then `llmenv setup
torch` (the env up to date, only its smoke test to run) ended with "warning: the PyTorch index ... did not answer;
installing PyPI's build of torch==2.13.0 ... instead", though nothing was installed (the up-to-date run says nothing
of the kind). The plan's warnings are about building the env: said when it is built, not on a smoke-only run."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.plan.make import Options, make_plan
from llmenv.profiles.load import load_profile
from llmenv.report.setup import print_setup
from llmenv.workflow.setup import SetupReport
from tests.helpers.facts import host

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.mark.parametrize(("status", "said"), [("smoke-only", False), ("up-to-date", False), ("created", True)])
def test_plan_warnings_only_when_something_was_built(
    capsys: pytest.CaptureFixture[str], status: str, said: bool
) -> None:
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv"), {CPU_INDEX: False})
    assert plan.warnings
    print_setup(SetupReport(status, plan, Path(".venv"), None, (), (), None, 0.1))
    err = capsys.readouterr().err
    assert (plan.warnings[0][:40] in err.replace("\n", " ")) is said, err
