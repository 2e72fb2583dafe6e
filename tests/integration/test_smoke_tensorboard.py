"""`llmenv smoke --tensorboard DIR` for Keras and PyTorch: event files with loss and accuracy per epoch, read back
with TensorFlow's own reader; without the tensorboard package a torch run says so and still passes (run in CI).

The runs use the synthetic fallback (one short epoch): what is tested is the event files, not the accuracy. The
transformers-based runs are covered by tests/integration/test_smoke_finetune.py."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

READ_TF_EVENTS = r"""
import glob, json, sys
import tensorflow as tf
out = {}
for path in glob.glob(sys.argv[1] + "/events.out.tfevents.*"):
    for event in tf.compat.v1.train.summary_iterator(path):
        for value in event.summary.value:
            number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") else value.simple_value
            out.setdefault(value.tag, []).append([event.step, number])
print(json.dumps(out))
"""


@pytest.fixture
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))


def test_keras_writes_loss_and_accuracy_per_epoch_and_says_how_to_view_them(
    cli: Callable[..., CliResult], tf_env: Path, tmp_path: Path, no_data: None
) -> None:
    board = tmp_path / "board"
    result = cli("smoke", "--env", str(tf_env), "--profile", "tf", "--offline", "--tensorboard", str(board))
    assert result.code == 0, result.out + result.err
    assert f"tensorboard --logdir {board}" in result.out
    python = str(tf_env / "bin" / "python")
    done = subprocess.run([python, "-c", READ_TF_EVENTS, str(board)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    scalars = json.loads(done.stdout)
    assert [step for step, _ in scalars["train/loss"]] == [1] and scalars["train/accuracy"]
    assert scalars["test/accuracy"] and 0.0 <= scalars["test/accuracy"][0][1] <= 1.0


def test_torch_without_tensorboard_says_what_to_install_and_still_trains(
    cli: Callable[..., CliResult], torch_env: Path, tmp_path: Path, no_data: None
) -> None:
    board = tmp_path / "board"
    result = cli("smoke", "--env", str(torch_env), "--profile", "torch", "--offline", "--tensorboard", str(board))
    assert result.code == 0, result.out + result.err
    assert "no TensorBoard events written" in result.out and "install tensorboard" in result.out
    assert "tensorboard --logdir" not in result.out
