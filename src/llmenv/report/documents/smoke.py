"""`llmenv smoke --json` (schema `llmenv.smoke/1`), and the smoke result that `llmenv setup --json` carries."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from llmenv.report.documents.parts import ExitCode, Part, StringOrNull


class Dataset(Part):
    source: str
    synthetic: bool
    train: int
    test: int


class TrainResult(Part):
    """The payload's result event (verify/payloads/smoke_common.py), as it sent it."""

    event: str = "result"
    framework: str = ""
    accuracy: Any
    loss_curve: list[float]
    device: Any
    train_s: Any
    samples_per_s: Any
    wall_s: Any


class Tutorial(Part):
    """Only for `--model tutorial`: its test accuracy beside the tutorial's reported figure."""

    accuracy: float
    reference_accuracy: float
    difference: float
    epochs: int
    test: Any


class Lora(Part):
    """Only for the fine-tuning smoke test (framework finetune): `accuracy` is LoRA's."""

    trainable_params: int
    total_params: int
    trainable_fraction: float


class Reference(Part):
    full_finetune_accuracy: float


class SmokeBody(Part):
    """What a smoke run found (verify/smoke/runner.py's SmokeResult.to_dict)."""

    framework: Literal["torch", "keras", "transformers", "finetune"]
    passed: bool
    # stack-trains: synthetic data, the stack trained; there is no IMDB accuracy and no accuracy pass.
    verdict: Literal["accuracy-pass", "accuracy-fail", "stack-trains", "error"]
    accuracy_pass: bool | None
    accuracy: float | None
    min_accuracy: float
    message: str
    dataset: Dataset
    result: TrainResult | None
    epochs: list[dict[str, Any]]
    log: StringOrNull = None
    tutorial: Tutorial = None  # type: ignore[assignment]  # optional, never null
    lora: Lora = None  # type: ignore[assignment]
    reference: Reference = None  # type: ignore[assignment]
    pretrain: dict[str, Any] = None  # type: ignore[assignment]
    tensorboard: StringOrNull = None


class SmokeHead(Part):
    """What `llmenv smoke --json` says before the result: the schema, the llmenv, the exit code."""

    schema_: Literal["llmenv.smoke/1"] = Field(alias="schema")
    llmenv_version: str
    exit_code: ExitCode


class SmokeDocument(SmokeBody, SmokeHead):
    """The head's fields come first (pydantic orders fields from the last base to the first)."""

    model_config = ConfigDict(title="llmenv smoke --json")


__all__ = ["SmokeBody", "SmokeDocument"]
