"""Env checks that depend on the user's context: a removed base Python, LD_LIBRARY_PATH shadowing the wheels."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmenv.probe.libpath import shadowing_libraries
from llmenv.profiles.load import load_profile
from llmenv.verify.env.checks import _import_finding, verify_env
from llmenv.verify.env.plumbing import ImportResult
from llmenv.verify.model import Status


def test_venv_whose_base_python_was_removed_is_not_called_missing(tmp_path: Path) -> None:
    """Failed before: "no environment at X". A venv whose base interpreter was uninstalled has the layout below
    (pyvenv.cfg and dangling bin/python links), exactly as `python -m venv` leaves it."""
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    gone = tmp_path / "uv-python" / "cpython-3.12.9" / "bin"
    (env / "pyvenv.cfg").write_text(f"home = {gone}\nversion = 3.12.9\n", encoding="utf-8")
    for name in ("python", "python3", "python3.12"):
        os.symlink(gone / "python3.12", env / "bin" / name)
    [finding] = verify_env(env, load_profile("torch"), None)
    assert finding.status is Status.FAIL
    assert "exists, but the Python it was built from is gone" in finding.title and str(gone) in finding.evidence
    assert f"llmenv setup torch --env {env} --force" in (finding.fix or "")


# Recorded from a conda libstdc++ ahead of the system's on LD_LIBRARY_PATH (the format of glibc's loader error).
GLIBCXX_ERROR = (
    "ImportError: /opt/conda/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by "
    "/home/u/.venv/lib/python3.12/site-packages/torch/lib/libtorch_python.so)"
)


def test_import_failure_from_ld_library_path_says_unset_not_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failed before: the fix was "re-run `llmenv setup --force`", which reinstalls files the loader then shadows
    the same way."""
    conda = tmp_path / "conda" / "lib"
    conda.mkdir(parents=True)
    (conda / "libstdc++.so.6").write_bytes(b"\x7fELF")
    (conda / "libz.so.1").write_bytes(b"\x7fELF")
    monkeypatch.setenv("LD_LIBRARY_PATH", f"{conda}{os.pathsep}{tmp_path / 'absent'}")
    shadows = shadowing_libraries()
    assert [s.library for s in shadows] == ["libstdc++.so.6"]
    finding = _import_finding(ImportResult("torch", False, None, 0.3, GLIBCXX_ERROR), shadows)
    assert finding.status is Status.FAIL
    assert "unset LD_LIBRARY_PATH" in (finding.fix or "") and str(conda) in (finding.fix or "")
    assert "cannot fix this" in (finding.fix or "")


def test_a_from_import_check_reads_as_written_with_a_plain_id() -> None:
    """Failed before: `import from transformers import BertForSequenceClassification 5.20.2`, with that whole
    sentence in the finding's id, and handed to the user-context check as if it were a module name."""
    from llmenv.verify.env.plumbing import split_import

    statement = "from transformers import BertForSequenceClassification"
    finding = _import_finding(ImportResult(statement, True, "5.20.2", 7.1, None))
    assert finding.id == "env.import.transformers.BertForSequenceClassification"
    assert finding.title == "from transformers import BertForSequenceClassification (transformers 5.20.2)"
    failed = _import_finding(ImportResult(statement, False, None, 0.1, "ImportError: cannot import name"))
    assert failed.title == f"{statement} fails"
    assert split_import(statement) == ("transformers", "BertForSequenceClassification")
    assert split_import("torch.nn") == ("torch.nn", None)
