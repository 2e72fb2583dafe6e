"""The fine-tuning smoke test end to end, at a reduced budget (run in CI).

The full run (5,000 train / 2,000 test reviews, the default pre-training budget) takes minutes on a 2-core CPU and is
measured in docs/benchmarks.md. Here a CSV of 2,000 train / 400 test reviews from the real subset, two epochs per
fine-tune and 15 s of pre-training (LLMENV_FINETUNE_PRETRAIN_S) exercise every stage: MLM pre-training, LoRA through
peft, the full fine-tune reference, the adapter saved, loaded with PeftModel.from_pretrained and merged with
merge_and_unload (the payload fails unless all three predict the same), and the TensorBoard event files."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from llmenv.report.documents import schemas
from tests.conftest import CliResult

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# The reduced run's floor: two LoRA epochs on 2,000 reviews (one epoch on 1,200 learned nothing, 0.49). The 0.72 target is for the full run (benchmarks.md).
REDUCED_FLOOR = 0.6

READ_EVENTS = r"""
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
board = EventAccumulator(sys.argv[1]); board.Reload()
print(json.dumps({tag: [[e.step, e.value] for e in board.Scalars(tag)] for tag in board.Tags()["scalars"]}))
"""


def small_csv(imdb: Path, folder: Path, train: int, test: int) -> Path:
    """A balanced sample of the real subset as a CSV with a split column (the smoke test reads CSVs)."""
    from llmenv.verify.smoke.data import read_tarball

    wanted = {("train", "pos"): train // 2, ("train", "neg"): train // 2, ("test", "pos"): test // 2}
    wanted[("test", "neg")] = test // 2
    rows = []
    for split, text, label in read_tarball(imdb):
        if wanted.get((split, label), 0) > 0:
            wanted[(split, label)] -= 1
            rows.append({"text": text, "label": label, "split": split})
    path = folder / "imdb-small.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "label", "split"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_finetune_smoke_pretrains_lora_tunes_and_proves_the_adapter_round_trip(
    cli: Callable[..., CliResult],
    finetune_env: Path,
    imdb_mini: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLMENV_FINETUNE_PRETRAIN_S", "15")
    data = small_csv(imdb_mini, tmp_path, 2000, 400)
    board = tmp_path / "board"
    profile = tmp_path / "reduced.yaml"
    profile.write_text(
        f"name: reduced\nextends: finetune\nsmoke:\n  framework: finetune\n  min_accuracy: {REDUCED_FLOOR}\n"
    )
    args = ("--env", str(finetune_env), "--profile", str(profile), "--data", str(data), "--epochs", "2")
    result = cli("smoke", *args, "--tensorboard", str(board), "--json")
    assert result.out, result.err
    report = json.loads(result.out)
    jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)
    assert result.code == 0 and report["verdict"] == "accuracy-pass", json.dumps(report)[-1500:]
    assert report["framework"] == "finetune" and report["dataset"]["synthetic"] is False
    assert report["accuracy"] >= REDUCED_FLOOR, report
    lora = report["lora"]
    assert 0 < lora["trainable_fraction"] <= 0.10 and lora["trainable_params"] < lora["total_params"]
    assert lora["same_predictions"]["loaded"]["differ"] == 0  # PeftModel.from_pretrained: the same model
    assert lora["same_predictions"]["merged"]["max_logit_diff"] < 1e-3  # merge_and_unload: float rounding only
    assert 0.0 <= report["reference"]["full_finetune_accuracy"] <= 1.0
    pretrain = report["pretrain"]
    assert pretrain["steps"] > 0 and pretrain["mlm_loss_curve"][-1] < pretrain["mlm_loss_curve"][0] + 0.5
    assert report["tensorboard"] == str(board)

    python = str(finetune_env / "bin" / "python")
    done = subprocess.run([python, "-c", READ_EVENTS, str(board)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    scalars = json.loads(done.stdout)
    assert [step for step, _ in scalars["lora/loss"]] == [2, 3] and [s for s, _ in scalars["full/loss"]] == [4, 5]
    assert scalars["lora/accuracy"] and scalars["test/accuracy"][0][1] == pytest.approx(report["accuracy"], abs=1e-4)
    assert scalars["pre-training/loss"]
