"""The plan: every decision `llmenv setup` will act on, with the reasons, before anything touches disk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llmenv.mirrors.decide import MirrorPlan, no_mirrors
from llmenv.plan.choice import Choice
from llmenv.plan.managed import ManagedPython
from llmenv.redact import Secret, redact_text, redact_url

if TYPE_CHECKING:
    from llmenv.plan.pypi_torch import PypiBuild


@dataclass(frozen=True)
class AcceleratorDecision:
    """The one accelerator decision (plan/accelerators.resolve): what setup builds, doctor judges and checks expect.

    `serves` and `unused` name the visible GPUs the chosen build runs on and those it cannot (with why);
    `fallback` is set when a GPU is there but the CPU build was chosen (why), `fix` says what would let the GPU be
    used, `broken` holds the evidence of a driver that is installed but not working."""

    accelerator: Choice
    variant: Choice | None = None
    index_url: str | None = None  # with {variant} filled in
    warnings: tuple[str, ...] = ()
    serves: tuple[str, ...] = ()
    unused: tuple[tuple[str, str], ...] = ()
    fallback: str | None = None
    fix: str | None = None
    broken: str | None = None
    select: tuple[str, str] | None = None  # CUDA_VISIBLE_DEVICES=… for the GPUs served, and for those left unused

    @property
    def value(self) -> str:
        return self.accelerator.value

    def to_dict(self) -> dict[str, Any]:
        return {
            "accelerator": self.accelerator.value,
            "serves": list(self.serves),
            "unused": [{"gpu": g, "why": w} for g, w in self.unused],
            "fallback": self.fallback,
            "fix": self.fix,
            "broken": self.broken,
            "select": {"served": self.select[0], "unused": self.select[1]} if self.select else None,
        }


@dataclass(frozen=True)
class Indexes:
    """Where packages come from, as the user's pip configuration says plus the accelerator's variant index."""

    index_url: Secret | None
    extra_index_urls: tuple[Secret, ...]
    find_links: tuple[str, ...]
    no_index: bool
    variant_index: Secret | None  # the wheel-variant index (download.pytorch.org/whl/cu126), when reachable
    cert: str | None
    client_cert: str | None
    trusted_hosts: tuple[str, ...]
    constraints: tuple[str, ...]
    proxy: Secret | None
    variant_index_unreachable: Secret | None = None  # the variant index the plan wanted but could not reach
    # Mirrors (mirrors/decide.py) replace the sources above at install time; they stay out of the fingerprint, so
    # the same env built from a mirror elsewhere is the same env.
    pypi_mirror: Secret | None = None
    pytorch_mirror: Secret | None = None
    pytorch_mirror_flat: bool = False

    def default_index(self) -> Secret | None:
        """The index that replaces PyPI: the PyPI mirror when one is set, else the configured index-url."""
        return self.pypi_mirror or self.index_url

    def variant_source(self) -> tuple[Secret | None, bool]:
        """(URL, is a flat find-links page) of the wheel-variant source: the PyTorch mirror when set."""
        if self.pytorch_mirror and self.variant_index:
            return self.pytorch_mirror, self.pytorch_mirror_flat
        return self.variant_index, False

    def to_dict(self) -> dict[str, Any]:
        return {
            "pypi_mirror": str(self.pypi_mirror) if self.pypi_mirror else None,
            "pytorch_mirror": str(self.pytorch_mirror) if self.pytorch_mirror else None,
            "pytorch_mirror_format": ("flat" if self.pytorch_mirror_flat else "index") if self.pytorch_mirror else None,
            "index_url": str(self.index_url) if self.index_url else None,
            "extra_index_urls": [str(u) for u in self.extra_index_urls],
            "find_links": list(self.find_links),
            "no_index": self.no_index,
            "variant_index": str(self.variant_index) if self.variant_index else None,
            "cert": self.cert,
            "client_cert": self.client_cert,
            "trusted_hosts": list(self.trusted_hosts),
            "constraints": list(self.constraints),
            "proxy": str(self.proxy) if self.proxy else None,
        }

    def fingerprint(self) -> str:
        """Changes when any source changes: part of the stamp. Hashed from the redacted URLs: the stamp is a plain
        file, and a hash of a password lets whoever reads it test guesses offline; a new password for the same
        index serves the same packages, so it needs no rebuild either."""
        raw = json.dumps(
            [
                str(self.index_url) if self.index_url else None,
                [str(u) for u in self.extra_index_urls],
                [redact_text(link) for link in self.find_links],
                self.no_index,
                str(self.variant_index) if self.variant_index else None,
                [redact_text(c) for c in self.constraints],
            ]
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    profile: str
    profile_hash: str
    env: str
    python: Choice  # value: interpreter path
    python_version: str
    backend: Choice  # uv | pip
    accelerator: Choice  # cpu | cuda | rocm | mps
    variant: Choice | None  # cu126, cpu, rocm7.2 ... when the profile builds per variant
    requirements: tuple[str, ...]
    indexes: Indexes
    imports: tuple[str, ...]
    gpu_check: str
    smoke: dict[str, Any] | None
    lock_file: str | None
    decision: AcceleratorDecision  # accelerator and variant above are its own; the GPUs served and not, and why
    warnings: tuple[str, ...] = ()
    lock_sha256: str | None = None
    offline: bool = False  # install from caches and local find-links only
    overrides: tuple[str, ...] = ()
    variant_index_fallback: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    mirrors: MirrorPlan = field(default_factory=no_mirrors)  # the source of each role, with reasons
    managed_python: ManagedPython | None = None  # a CPython setup installs first (python.value names it until then)
    unreachable: tuple[str, ...] = ()  # sources the plan found unreachable (named when the install then fails)
    pypi_torch: PypiBuild | None = None  # PyPI's build stands in for the PyTorch index's (plan/pypi_torch.py)

    def stamp_key(self, llmenv_version: str) -> str:
        """What must be equal for an existing environment to count as up to date."""
        raw = json.dumps(
            [
                llmenv_version,
                self.profile_hash,
                self.python.value,
                self.python_version,
                self.backend.value,
                self.accelerator.value,
                self.variant.value if self.variant else None,
                list(self.requirements),
                self.indexes.fingerprint(),
                self.lock_file,
                self.lock_sha256,
            ]
        )
        return hashlib.sha256(raw.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "profile_hash": self.profile_hash,
            "env": self.env,
            "python": {**self.python.to_dict(), "version": self.python_version},
            "backend": self.backend.to_dict(),
            "accelerator": self.accelerator.to_dict(),
            "variant": self.variant.to_dict() if self.variant else None,
            "gpus": self.decision.to_dict(),
            "requirements": list(self.requirements),
            "indexes": self.indexes.to_dict(),
            "imports": list(self.imports),
            "gpu_check": self.gpu_check,
            "smoke": self.smoke,
            "lock_file": self.lock_file,
            "lock_sha256": self.lock_sha256,
            "warnings": list(self.warnings),
            "overrides": list(self.overrides),
            "variant_index_fallback": self.variant_index_fallback,
            "offline": self.offline,
            "mirrors": self.mirrors.to_dict(),
            "managed_python": self.managed_python.to_dict() if self.managed_python else None,
            "unreachable": [redact_url(u) for u in self.unreachable],
            "pypi_torch": self.pypi_torch.to_dict() if self.pypi_torch else None,
        }


__all__ = ["AcceleratorDecision", "Choice", "Indexes", "Plan"]
