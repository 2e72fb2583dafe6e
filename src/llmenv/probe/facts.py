"""The shape every probe answers in: a value, where it came from, or why it is unknown."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from llmenv.redact import Secret

T = TypeVar("T")


@dataclass(frozen=True)
class Probed(Generic[T]):
    """A fact with its provenance. `value is None` with `error` set means unknown, never a crash."""

    value: T | None
    source: str
    error: str | None = None
    seconds: float = 0.0

    @property
    def known(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": to_jsonable(self.value),
            "source": self.source,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class MirrorProbe:
    """One probe fact: did `source`'s URL for `role` answer, and does it serve what the plan needs?"""

    source: str
    role: str
    url: str
    ok: bool
    seconds: float
    detail: str


__all__ = ["MirrorProbe", "Probed", "to_jsonable"]
