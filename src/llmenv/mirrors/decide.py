"""Which source serves each role (pypi, pytorch, huggingface, python, imdb): a pure decision, made once.

A named set is taken as written (roles it leaves out stay upstream). `auto` looks at probe facts: per role,
upstream when it answers (a mirror then changes nothing), else the fastest set whose answer really serves the plan
(for pytorch: the pinned build is listed and its file links stay on the mirror), else upstream with the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from llmenv.mirrors.sets import ROLES, UPSTREAM, MirrorSet
from llmenv.probe.facts import MirrorProbe
from llmenv.redact import redact_url


@dataclass(frozen=True)
class RoleSource:
    role: str
    source: str  # a set name, or "upstream"
    url: str | None  # None: upstream, whatever the tool itself would use
    flat: bool  # pytorch only: a find-links page rather than a PEP 503 index
    why: str
    rejected: tuple[tuple[str, str], ...] = ()
    seen: str | None = None  # a named set: what its probe saw (None: not probed), for the error if it fails
    seen_ok: bool | None = None

    @property
    def named(self) -> bool:
        """The user named this source (a set, not `auto`): it is used as given, never replaced."""
        return self.url is not None and not self.why.startswith("auto:")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "url": redact_url(self.url) if self.url else None,
            "format": ("flat" if self.flat else "index") if self.role == "pytorch" and self.url else None,
            "why": self.why,
            "rejected": [{"value": v, "why": w} for v, w in self.rejected],
            "probe": None if self.seen is None else {"ok": self.seen_ok, "saw": self.seen},
        }

    def described(self) -> str:
        """`set campus (http://host/whl/cpu)`, credentials masked: how errors name a mirror."""
        return f"{self.role} mirror {redact_url(self.url)} (set {self.source})" if self.url else "upstream"


@dataclass(frozen=True)
class MirrorPlan:
    requested: str | None  # None (nothing asked), upstream, auto, or a set name
    requested_by: str  # --mirror, LLMENV_MIRROR, profile key
    roles: tuple[RoleSource, ...]

    def get(self, role: str) -> RoleSource:
        return next(r for r in self.roles if r.role == role)

    def url(self, role: str) -> str | None:
        return self.get(role).url

    def passed_over(self) -> list[str]:
        """`--mirror auto`: one line per role that was probed, naming the sets it passed over and why."""
        if self.requested != "auto":
            return []
        lines = []
        for r in self.roles:
            if r.why.endswith("this plan does not need it"):
                continue
            chosen = r.source if r.url else "upstream"
            skipped = "; ".join(f"{v}: {w}" for v, w in r.rejected)
            lines.append(f"{r.role}: {chosen} ({r.why})" + (f"; passed over {skipped}" if skipped else ""))
        return lines

    def mirrored(self) -> dict[str, str]:
        return {r.role: r.source for r in self.roles if r.url is not None}

    def to_dict(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "requested_by": self.requested_by,
            "roles": {r.role: r.to_dict() for r in self.roles},
        }


def no_mirrors() -> MirrorPlan:
    return MirrorPlan(None, "", tuple(RoleSource(r, "upstream", None, False, "no mirror set") for r in ROLES))


def choose_mirrors(
    requested: str | None,
    requested_by: str,
    sets: dict[str, MirrorSet],
    variant: str | None,
    probes: list[MirrorProbe] | None = None,
) -> MirrorPlan:
    """`probes` are needed for auto only; a role nobody probed (not needed by this plan) stays upstream."""
    if requested is None or requested in ("upstream", "none"):
        why = f"{requested_by} {requested}" if requested else "no mirror set (--mirror, LLMENV_MIRROR, profile)"
        return MirrorPlan(requested, requested_by, tuple(RoleSource(r, "upstream", None, False, why) for r in ROLES))
    if requested != "auto":
        chosen = sets[requested]
        roles = []
        for role in ROLES:
            url = chosen.url(role, variant)
            if url is None:
                roles.append(RoleSource(role, "upstream", None, False, f"set '{chosen.name}' names no {role} mirror"))
                continue
            flat = role == "pytorch" and chosen.pytorch_format == "flat"
            probe = next((p for p in probes or [] if p.role == role and p.source == chosen.name), None)
            seen = None if probe is None else f"{probe.detail} ({probe.seconds:.2f} s)"
            why = f"{requested_by} {chosen.name}"
            roles.append(RoleSource(role, chosen.name, url, flat, why, (), seen, None if probe is None else probe.ok))
        return MirrorPlan(requested, requested_by, tuple(roles))
    return MirrorPlan(requested, requested_by, tuple(_auto(role, sets, probes or []) for role in ROLES))


def _auto(role: str, sets: dict[str, MirrorSet], probes: list[MirrorProbe]) -> RoleSource:
    mine = [p for p in probes if p.role == role]
    if not mine:
        return RoleSource(role, "upstream", None, False, "auto: not probed, this plan does not need it")
    upstream = next((p for p in mine if p.source == UPSTREAM.name), None)
    if upstream is not None and upstream.ok:
        return RoleSource(role, "upstream", None, False, f"auto: upstream answers ({upstream.seconds:.2f} s)")
    answering = sorted((p for p in mine if p.ok and p.source != UPSTREAM.name), key=lambda p: p.seconds)
    rejected = [(p.source, f"failed: {p.detail}") for p in mine if not p.ok]
    if not answering:
        return RoleSource(role, "upstream", None, False, "auto: no set serves it either", tuple(rejected))
    best, slower = answering[0], answering[1:]
    rejected += [(p.source, f"slower ({p.seconds:.2f} s); next fallback") for p in slower]
    flat = role == "pytorch" and sets[best.source].pytorch_format == "flat"
    why = f"auto: fastest set that serves it ({best.seconds:.2f} s; {best.detail})"
    return RoleSource(role, best.source, best.url, flat, why, tuple(rejected))


__all__ = ["MirrorPlan", "MirrorProbe", "RoleSource", "choose_mirrors", "no_mirrors"]
