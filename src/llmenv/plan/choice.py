"""A decision with its reason and the alternatives it rejected: the unit every part of the plan is made of (its
own module so the deciders (plan/python.py) and the plan model import it without importing each other)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    """A decision, why it was made, and what was considered and rejected (and why)."""

    value: str
    why: str
    rejected: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "why": self.why, "rejected": [{"value": v, "why": w} for v, w in self.rejected]}


__all__ = ["Choice"]
