"""Doctor's view of the mirror roles: for each role the plan needs, its source and whether it answers, and
`--mirror auto` suggested when upstream fails while a known set answers. Pure: probes come from mirrors/probe.py."""

from __future__ import annotations

from llmenv.mirrors.decide import MirrorPlan, MirrorProbe
from llmenv.mirrors.sets import ROLES
from llmenv.redact import redact_url
from llmenv.verify.model import Finding, Status, ok, warn

# Roles doctor reports on; imdb is the smoke test's data, checked by `llmenv smoke` itself.
REPORTED = tuple(r for r in ROLES if r != "imdb")
_UNUSED = {
    "pytorch": "this profile installs no PyTorch variant build",
    "huggingface": "setup downloads no model (`llmenv smoke --model <hub id>` checks the hub when it needs one)",
    "python": "an installed Python fits, so setup installs no managed CPython",
}


def rule_mirrors(
    mirrors: MirrorPlan,
    probes: list[MirrorProbe],
    setup_command: str,
    roles: tuple[str, ...],
    *,
    variant_covered: bool = False,
) -> list[Finding]:
    """`roles`: those the plan needs. The others are reported as skipped, not needed: a hub or Python-build host
    that does not answer cannot break a setup that never asks it. `variant_covered`: the plan fell back from the
    PyTorch index and the configured sources carry the build (network.index.variant says so), so an unanswered
    upstream PyTorch index is not a problem either."""
    out = []
    for role in REPORTED:
        fid = f"network.mirror.{role}"
        if role not in roles:
            why = _UNUSED.get(role, "this plan does not use it")
            out.append(Finding(fid, "network", Status.SKIP, f"{role}: not needed", why))
            continue
        source = mirrors.get(role)
        mine = [p for p in probes if p.role == role]
        used = next((p for p in mine if p.source == source.source), None)
        if used is None:
            continue
        where = f"{source.source} {redact_url(used.url)}"
        if used.ok:
            out.append(
                ok(
                    fid,
                    "network",
                    f"{role}: {source.source} answers",
                    f"{where}: {used.detail} in {used.seconds:.2f} s",
                )
            )
            continue
        if role == "pytorch" and source.url is None and variant_covered:
            title = f"{role}: {source.source} does not answer, not needed"
            why = "setup takes the build from the configured sources instead (see network.index.variant)"
            out.append(Finding(fid, "network", Status.SKIP, title, f"{where}: {used.detail}; {why}"))
            continue
        answering = sorted((p for p in mine if p.ok and p.source != source.source), key=lambda p: p.seconds)
        title = f"{role}: {source.source} does not answer"
        if used.url.startswith("file:"):
            title = f"{role}: the folder of {source.source} does not hold what setup needs"
            fix = (
                "that folder must hold what setup installs from it: copy the files there (a bundle carries them, "
                f"see docs/offline.md), or correct the {role} path of set '{source.source}' in mirrors.yaml"
            )
        elif answering:
            names = ", ".join(f"{p.source} ({p.seconds:.2f} s)" for p in answering[:3])
            fix = f"`{setup_command} --mirror auto` takes the fastest that serves it ({names} answer)"
        else:
            fix = "no known mirror set answers either: add one of your own to mirrors.yaml (see docs/mirrors.md)"
        out.append(warn(fid, "network", title, f"{where}: {used.detail}", fix))
    return out


__all__ = ["rule_mirrors"]
