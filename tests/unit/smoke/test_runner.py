"""Judging a smoke run: a synthetic-data run proves only that the stack trains and never passes an accuracy bar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from llmenv import __version__
from llmenv.report.documents import schemas
from llmenv.report.smoke import smoke_json
from llmenv.verify.model import Status
from llmenv.verify.smoke.data import Prepared
from llmenv.verify.smoke.runner import judge, payload_argv

SYNTHETIC = Prepared(Path("/c/synthetic-1234.json.gz"), "texts", "SYNTHETIC sentiment set (offline)", True, 600, 200)
REAL = Prepared(Path("/c/prepared-x.json.gz"), "texts", "--data /d/aclImdb-mini.tar.gz", False, 5000, 2000)


def result_event(accuracy: float, losses: list[float]) -> dict[str, Any]:
    return {
        "event": "result",
        "framework": "torch",
        "accuracy": accuracy,
        "loss_curve": losses,
        "device": "cpu",
        "train_s": 1.2,
        "samples_per_s": 500.0,
        "wall_s": 3.4,
        "train": 600,
        "test": 200,
    }


def test_synthetic_run_is_a_stack_check_not_an_accuracy_pass() -> None:
    smoke = judge("torch", SYNTHETIC, 0.75, 60.0, [result_event(0.99, [0.69, 0.4])], 0, False, "", Path("/l"))
    assert smoke.verdict == "stack-trains"
    assert smoke.accuracy is None  # no IMDB accuracy was measured
    finding = smoke.finding()
    assert "stack trains; no IMDB accuracy measured" in finding.title
    assert "passed" not in finding.title
    assert finding.status is Status.OK
    report = smoke_json(smoke)
    jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)
    assert report["accuracy_pass"] is None and report["accuracy"] is None and report["exit_code"] == 0
    assert report["verdict"] == "stack-trains"
    assert report["result"]["accuracy"] == 0.99  # the synthetic figure stays visible, but only inside `result`


def test_synthetic_run_that_does_not_train_fails() -> None:
    smoke = judge("torch", SYNTHETIC, 0.75, 60.0, [result_event(0.5, [float("nan")])], 0, False, "", Path("/l"))
    assert smoke.verdict == "error" and not smoke.passed
    assert smoke.finding().status is Status.FAIL


def test_real_data_is_judged_on_the_accuracy_bar() -> None:
    good = judge("torch", REAL, 0.75, 60.0, [result_event(0.81, [0.69, 0.4])], 0, False, "", Path("/l"))
    assert good.verdict == "accuracy-pass" and good.passed and good.accuracy == 0.81
    assert smoke_json(good)["accuracy_pass"] is True
    low = judge("torch", REAL, 0.75, 60.0, [result_event(0.6, [0.69, 0.6])], 0, False, "", Path("/l"))
    assert low.verdict == "accuracy-fail" and not low.passed and smoke_json(low)["accuracy_pass"] is False
    for report in (smoke_json(good), smoke_json(low)):
        jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)


def test_synthetic_run_is_kept_short_whatever_the_profile_asks() -> None:
    argv = payload_argv(Path("/env/bin/python"), "keras", SYNTHETIC, epochs=10, model=None)
    assert argv[argv.index("--epochs") + 1] == "1"
    assert int(argv[argv.index("--maxlen") + 1]) <= 64
    real = payload_argv(Path("/env/bin/python"), "keras", REAL, epochs=10, model=None)
    assert real[real.index("--epochs") + 1] == "10" and "--maxlen" not in real


def test_tutorial_run_reports_its_accuracy_beside_the_tutorials() -> None:
    event = {**result_event(0.8123, [0.5, 0.3]), "framework": "keras", "reference_accuracy": 0.7947}
    smoke = judge("keras", REAL, 0.75, 600.0, [event], 0, False, "", Path("/l"))
    report = smoke_json(smoke)
    jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)
    assert report["tutorial"] == {
        "accuracy": 0.8123,
        "reference_accuracy": 0.7947,
        "difference": 0.0176,
        "epochs": 2,
        "test": 200,
    }


def test_tutorial_model_is_passed_to_the_keras_payload() -> None:
    argv = payload_argv(Path("/env/bin/python"), "keras", REAL, epochs=10, model="tutorial")
    assert argv[argv.index("--model") + 1] == "tutorial" and argv[argv.index("--epochs") + 1] == "10"


RERUN = ("llmenv", "smoke", "--env", ".venv", "--profile", "torch", "--data", "/d/aclImdb-mini.tar.gz")
SLOW_RUN: list[dict[str, Any]] = [
    {"event": "start", "framework": "torch", "version": "2.13.0+cpu", "device": "cpu", "train": 5000, "test": 2000,
     "epochs": 5, "import_s": 9.1},
    {"event": "step", "epoch": 1, "step": 141, "steps": 157},
    {"event": "epoch", "epoch": 1, "epochs": 5, "loss": 0.69, "accuracy": 0.52, "seconds": 180.2,
     "samples_per_s": 27.7},
    {"event": "step", "epoch": 2, "step": 41, "steps": 157},
]  # fmt: skip


def test_time_out_says_how_far_it_got_and_how_to_finish_in_time() -> None:
    """Failed before: a run that reached epoch 2 of 5 on a loaded machine said only "did not finish within its
    300 s budget" and told the user to run `llmenv doctor --env` to check the framework imports."""
    from llmenv.verify.smoke.runner import Rerun

    smoke = judge("torch", REAL, 0.75, 300.0, SLOW_RUN, None, True, "", Path("/l"), Rerun(RERUN, "torch", None))
    finding = smoke.finding()
    assert finding.status is Status.FAIL
    assert "300 s" in finding.evidence
    assert "epoch 2/5" in finding.evidence and "step 41/157" in finding.evidence
    assert "1 epoch done" in finding.evidence
    fix = finding.fix or ""
    assert "doctor" not in fix
    assert "`llmenv smoke --env .venv --profile torch --data /d/aclImdb-mini.tar.gz --epochs 1`" in fix
    assert "smoke.time_budget_s" in fix and "extends: torch" in fix  # a built-in profile is changed by a child


def test_time_out_before_training_says_so_and_names_the_users_profile_file() -> None:
    from llmenv.verify.smoke.runner import Rerun

    rerun = Rerun(("llmenv", "smoke", "--env", "/e", "--profile", "p.yaml"), "mine", "/w/p.yaml")
    smoke = judge("torch", REAL, 0.75, 300.0, [], None, True, "", Path("/l"), rerun)
    finding = smoke.finding()
    assert "before training started" in finding.evidence
    assert "`llmenv smoke --env /e --profile p.yaml --epochs 1`" in (finding.fix or "")
    assert "smoke.time_budget_s in /w/p.yaml" in (finding.fix or "")


def finetune_event(accuracy: float) -> dict[str, Any]:
    return {
        **result_event(accuracy, [0.6, 0.4]),
        "framework": "finetune",
        "lora": {"trainable_params": 89986, "total_params": 1544452, "trainable_fraction": 0.0583},
        "reference": {"full_finetune_accuracy": 0.7411, "loss_curve": [0.6, 0.5]},
        "pretrain": {"seconds": 180.2, "steps": 700, "mlm_loss_curve": [8.9, 6.1]},
    }


def test_finetune_headline_is_loras_accuracy_with_the_adapter_and_reference_beside_it() -> None:
    from llmenv.report.smoke import finetune_lines

    smoke = judge("finetune", REAL, 0.72, 900.0, [finetune_event(0.771)], 0, False, "", Path("/l"))
    report = smoke_json(smoke)
    jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)
    assert report["accuracy"] == 0.771 and report["verdict"] == "accuracy-pass"
    assert report["lora"]["trainable_fraction"] == 0.0583
    assert report["reference"] == {"full_finetune_accuracy": 0.7411, "loss_curve": [0.6, 0.5]}
    lines = " ".join(finetune_lines(report))
    assert "89,986 of 1,544,452 weights trainable (5.8%)" in lines
    assert "merge_and_unload" in lines and "0.741" in lines and "180.2 s, 700 steps" in lines


def test_finetune_on_synthetic_data_reports_no_accuracy_and_no_reference() -> None:
    smoke = judge("finetune", SYNTHETIC, 0.72, 900.0, [finetune_event(0.99)], 0, False, "", Path("/l"))
    report = smoke_json(smoke)
    jsonschema.Draft202012Validator(schemas()["smoke"]).validate(report)
    assert report["verdict"] == "stack-trains" and report["accuracy"] is None
    assert "reference" not in report and "lora" in report  # the reference accuracy is no IMDB figure either


def test_synthetic_finetune_run_pretrains_seconds_only_and_tensorboard_folder_is_passed() -> None:
    argv = payload_argv(Path("/p"), "finetune", SYNTHETIC, epochs=3, model=None, tensorboard=Path("/tb"))
    assert float(argv[argv.index("--pretrain-s") + 1]) <= 5 and argv[argv.index("--epochs") + 1] == "1"
    assert argv[argv.index("--tensorboard") + 1] == "/tb"
    real = payload_argv(Path("/p"), "finetune", REAL, epochs=None, model=None)
    assert "--pretrain-s" not in real and "--tensorboard" not in real and real[2].endswith("smoke_finetune.py")


def test_the_typed_smoke_document_prints_what_the_result_says_nan_included() -> None:
    """smoke --json dumps its model (report/documents/smoke.py): for every kind of run the printed document is the
    result's own dict under the header, same keys, same values, same order; a NaN loss (a broken stack) stays NaN
    as before, not null."""
    finetune = {**result_event(0.8, [0.7, 0.5]), "lora": {"trainable_params": 10, "total_params": 100,
                "trainable_fraction": 0.1}, "reference": {"full_finetune_accuracy": 0.82, "loss_curve": [0.6]},
                "pretrain": {"mlm_loss_curve": [3.0, 2.0]}}  # fmt: skip
    tutorial = {**result_event(0.86, [0.6, 0.4]), "reference_accuracy": 0.87}
    runs = [
        judge("torch", SYNTHETIC, 0.75, 60.0, [result_event(0.99, [0.69, 0.4])], 0, False, "", Path("/l")),
        judge("torch", SYNTHETIC, 0.75, 60.0, [result_event(0.5, [float("nan")])], 0, False, "", Path("/l")),
        judge("torch", REAL, 0.75, 60.0, [result_event(0.6, [0.69, 0.6])], 0, False, "", Path("/l")),
        judge("finetune", REAL, 0.75, 60.0, [finetune], 0, False, "", Path("/l")),
        judge("keras", REAL, 0.75, 60.0, [tutorial], 0, False, "", Path("/l")),
        judge("torch", REAL, 0.75, 60.0, [], 1, False, "Traceback", Path("/l")),
        judge("torch", REAL, 0.75, 60.0, [], -9, True, "", Path("/l")),
    ]
    for smoke in runs:
        printed = json.dumps(smoke_json(smoke))
        head = {"schema": "llmenv.smoke/1", "llmenv_version": __version__, "exit_code": 0 if smoke.passed else 1}
        assert printed == json.dumps({**head, **smoke.to_dict()})
        jsonschema.Draft202012Validator(schemas()["smoke"]).validate(json.loads(printed))  # not printed as built
    assert "NaN" in json.dumps(smoke_json(runs[1]))


# A finetune payload's result event recorded from a real run (smoke --data aclImdb-mini, 2 epochs, CPU).
RECORDED_FINETUNE = {
    "framework": "finetune", "accuracy": 0.8, "loss_curve": [0.5529, 0.2216], "device": "cpu", "train_s": 83.89,
    "samples_per_s": 119.2, "wall_s": 532.33, "train": 5000, "test": 2000,
    "source": "--data /work/shared/data/imdb/aclImdb-mini.tar.gz", "synthetic": False,
    "model": "BERT 2-layer 128-wide pre-trained (MLM) for 304 s (721 steps), WordPiece 8000; LoRA r=8 on "
    "query,value,word_embeddings",
    "lora": {"trainable_params": 89986, "total_params": 1544452, "trainable_fraction": 0.0583, "rank": 8,
             "targets": ["query", "value", "word_embeddings"], "adapter_bytes": 368156,
             "same_predictions": {"loaded": {"differ": 0, "max_logit_diff": 0.0},
                                  "merged": {"differ": 0, "max_logit_diff": 5.960464477539062e-07}}},
    "reference": {"full_finetune_accuracy": 0.808, "loss_curve": [0.6243, 0.3489]},
    "pretrain": {"seconds": 303.7, "budget_s": 300.0, "steps": 721,
                 "mlm_loss_curve": [7.53, 6.668, 6.544, 6.452, 6.429, 6.412, 6.35, 6.361, 6.338, 6.332], "window": 64},
    "event": "result",
}  # fmt: skip


def test_finetune_summary_says_what_was_trained_on_either_data() -> None:
    """Found by QA: the progress counted 3 epochs (pre-training, LoRA, full) but the summary said "trained 1 short
    epoch(s)" (the LoRA curve's length only)."""
    trained = "pre-training 303.7 s (721 steps), LoRA 2 epochs, full fine-tune 2 epochs"
    for data in (SYNTHETIC, REAL):
        finding = judge("finetune", data, 0.72, 900.0, [RECORDED_FINETUNE], 0, False, "", Path("/l")).finding()
        assert trained in finding.evidence, finding.evidence
        assert "short epoch" not in finding.evidence and "(s)" not in finding.evidence
    # A result whose pre-training fields are missing says only what it knows, never "None s".
    partial = {**RECORDED_FINETUNE, "pretrain": {"mlm_loss_curve": [3.0, 2.0]}}
    finding = judge("finetune", REAL, 0.72, 900.0, [partial], 0, False, "", Path("/l")).finding()
    assert "trained pre-training, LoRA 2 epochs, full fine-tune 2 epochs" in finding.evidence, finding.evidence


def test_other_frameworks_summary_counts_their_epochs_in_words() -> None:
    for losses, words in (([0.69], "trained 1 short epoch on"), ([0.69, 0.5, 0.4], "trained 3 short epochs on")):
        finding = judge("torch", SYNTHETIC, 0.75, 60.0, [result_event(0.9, losses)], 0, False, "", Path("/l")).finding()
        assert words in finding.evidence, finding.evidence
