"""Re-runs stay instant: setup runs the smoke test once per generation (real or synthetic data), runs it again
only when asked (`--smoke`, `--force`) or when it failed or new data is given, and remembers `--data`.

`_setup` (the build) and the smoke run are replaced by fakes here: what is tested is the decision around them and
the record in the generation, on a real store layout."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from llmenv.execute.store import EnvStore
from llmenv.verify.smoke.data import Prepared
from llmenv.verify.smoke.runner import SmokeResult
from llmenv.workflow import setup as workflow_setup
from llmenv.workflow.common import SetupOptions
from llmenv.workflow.smoke_memory import RECORD, SmokeMemory, data_to_use, recall, why_run

LINES: list[str] = []  # the progress lines of the last run()


@dataclass
class FakeSmoke:
    passed: bool = True
    synthetic: bool = True
    calls: list[Any] = field(default_factory=list)

    def __call__(self, options: Any, on_event: Any, on_download: Any) -> Any:
        """A real SmokeResult, so the record is what setup writes after a real run."""
        self.calls.append(options)
        source = "SYNTHETIC sentiment set (offline)" if self.synthetic else f"--data {options.data}"
        data = Prepared(Path("/c/prepared.json.gz"), "texts", source, self.synthetic, 600, 200)
        accuracy = None if self.synthetic else 0.8
        return SmokeResult("torch", self.passed, accuracy, 0.75, data, result={"wall_s": 17.0})


def store_with(tmp_path: Path, generations: int) -> EnvStore:
    store = EnvStore.at(tmp_path / ".venv")
    for _ in range(generations):
        store.commit(store.new_generation(), {"key": "k"})
    return store


def run(
    monkeypatch: pytest.MonkeyPatch, store: EnvStore, status: str, fake: FakeSmoke, **options: Any
) -> workflow_setup.SetupReport:
    current = store.current()
    built = workflow_setup.SetupReport(
        status, SimpleNamespace(smoke={"framework": "torch"}), store.env, current, (), (), None, 0.01
    )
    monkeypatch.setattr(workflow_setup, "_setup", lambda opts, progress: built)
    monkeypatch.setattr(workflow_setup, "smoke", fake)
    lines: list[str] = []
    report = workflow_setup.setup(
        SetupOptions(profile="torch", skip_smoke=False, **options),
        lambda line: lines.append(line) or (lambda detail: None),
    )
    LINES[:] = lines
    return report


def test_a_passed_synthetic_smoke_is_not_repeated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed before the fix: a synthetic pass wrote no record, so every re-run trained again (16-22 s)."""
    store = store_with(tmp_path, 1)
    fake = FakeSmoke(synthetic=True)
    first = run(monkeypatch, store, "created", fake)
    assert first.smoke is not None and len(fake.calls) == 1
    again = run(monkeypatch, store, "up-to-date", fake)
    assert again.smoke is None and again.status == "up-to-date" and len(fake.calls) == 1
    assert recall(store.current()) == SmokeMemory(passed=True, synthetic=True, data=None)


def test_smoke_flag_runs_it_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_with(tmp_path, 1)
    fake = FakeSmoke()
    run(monkeypatch, store, "created", fake)
    report = run(monkeypatch, store, "up-to-date", fake, smoke=True)
    assert len(fake.calls) == 2 and report.status == "smoke-only"


def test_a_failed_smoke_runs_again_and_a_new_generation_runs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_with(tmp_path, 1)
    failing = FakeSmoke(passed=False)
    run(monkeypatch, store, "created", failing)
    assert recall(store.current()) == SmokeMemory(passed=False, synthetic=True, data=None)
    run(monkeypatch, store, "up-to-date", failing)
    assert len(failing.calls) == 2
    passing = FakeSmoke()
    run(monkeypatch, store, "up-to-date", passing)
    store.commit(store.new_generation(), {"key": "k2"})  # the env changed: a new generation, not yet tested
    run(monkeypatch, store, "updated", passing)
    assert len(passing.calls) == 2


def test_data_is_remembered_and_carried_to_the_next_generation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    imdb = tmp_path / "aclImdb_v1.tar.gz"
    imdb.write_bytes(b"x")
    store = store_with(tmp_path, 1)
    fake = FakeSmoke(synthetic=False)
    run(monkeypatch, store, "created", fake, data=imdb)
    assert recall(store.current()) == SmokeMemory(passed=True, synthetic=False, data=imdb)
    run(monkeypatch, store, "up-to-date", fake, data=imdb)  # the same data again: nothing new to prove
    assert len(fake.calls) == 1
    store.commit(store.new_generation(), {"key": "k2"})
    run(monkeypatch, store, "updated", fake)  # no --data this time: the remembered copy is used
    assert fake.calls[-1].data == imdb
    assert "smoke data: " + str(imdb) + " (remembered from an earlier --data)" in LINES
    assert recall(store.current()) == SmokeMemory(passed=True, synthetic=False, data=imdb)


def test_new_data_runs_the_smoke_test_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.csv"
    other.write_text("text,label\n")
    store = store_with(tmp_path, 1)
    fake = FakeSmoke()
    run(monkeypatch, store, "created", fake)
    run(monkeypatch, store, "up-to-date", fake, data=other)
    assert len(fake.calls) == 2 and fake.calls[-1].data == other


def test_skip_smoke_and_dry_run_never_run_or_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_with(tmp_path, 1)
    fake = FakeSmoke()
    current = store.current()
    built = workflow_setup.SetupReport("created", SimpleNamespace(smoke={}), store.env, current, (), (), None, 0.0)
    monkeypatch.setattr(workflow_setup, "_setup", lambda opts, progress: built)
    monkeypatch.setattr(workflow_setup, "smoke", fake)
    workflow_setup.setup(SetupOptions(skip_smoke=True), lambda line: lambda detail: None)
    assert not fake.calls and current is not None and not (current / RECORD).exists()


def test_records_of_older_versions_and_damaged_records(tmp_path: Path) -> None:
    gen = tmp_path / "gen-1"
    gen.mkdir()
    assert recall(gen) is None and recall(None) is None
    (gen / RECORD).write_text(
        json.dumps({"passed": True, "dataset": {"synthetic": False}})
    )  # written before this change
    assert recall(gen) == SmokeMemory(passed=True, synthetic=False, data=None)
    for damaged in ("{", "[]", json.dumps({"passed": "yes"})):
        (gen / RECORD).write_text(damaged)
        memory = recall(gen)
        assert memory is None or not memory.passed


def test_a_remembered_copy_that_is_gone_is_said(tmp_path: Path) -> None:
    gone = tmp_path / "moved.tar.gz"
    data, note = data_to_use(None, SmokeMemory(True, False, gone))
    assert data is None and note is not None and "is gone" in note
    assert data_to_use(tmp_path, SmokeMemory(True, False, gone)) == (tmp_path, None)
    assert why_run(SmokeMemory(True, False, tmp_path), Path(os.path.relpath(tmp_path)), asked=False) is None
    assert why_run(None, None, asked=False) == "not run on this environment yet"


def test_llmenv_smoke_uses_the_data_setup_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolation: Path
) -> None:
    """`llmenv smoke --env E` without --data trains on the copy a setup of E was given (recorded in its generation)."""
    from llmenv.execute.smoke_record import remember
    from llmenv.execute.store import EnvStore
    from llmenv.verify.smoke import budget, runner
    from llmenv.verify.smoke import data as data_module
    from llmenv.workflow.smoke import SmokeOptions, smoke

    store = EnvStore.at(tmp_path / "env")
    gen = store.new_generation()
    (gen / "bin").mkdir()
    (gen / "bin" / "python").write_text("")
    store.commit(gen, {"profile": "torch"})
    copy = tmp_path / "aclImdb_v1.tar.gz"
    copy.write_bytes(b"x")
    remember(gen, {"passed": True, "dataset": {"synthetic": False}}, copy)
    given: list[Any] = []

    def fake_prepare(path: Any, **kwargs: Any) -> Any:
        given.append(path)
        return data_module.Prepared(tmp_path / "p.json.gz", "texts", f"--data {path}", False, 10, 10)

    monkeypatch.setattr(data_module, "prepare", fake_prepare)
    monkeypatch.setattr(runner, "run_smoke", lambda *args, **kwargs: "ran")
    monkeypatch.setattr(budget, "calibrate", lambda: budget.REFERENCE_S)
    smoke(SmokeOptions(env=store.env, profile="torch", offline=True), lambda e: None, lambda d, t: None)
    assert given == [copy]
