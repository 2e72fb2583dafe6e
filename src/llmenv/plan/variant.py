"""Kept for callers written before the accelerator registry: the decision is `llmenv.plan.accelerators.resolve`.

`choose_variant` is that same function under its old name (not a second resolver; tests/unit/test_layers.py forbids
one), and `VariantDecision` is `AcceleratorDecision`."""

from __future__ import annotations

from llmenv.plan.accelerators import resolve as choose_variant
from llmenv.plan.model import AcceleratorDecision as VariantDecision

__all__ = ["VariantDecision", "choose_variant"]
