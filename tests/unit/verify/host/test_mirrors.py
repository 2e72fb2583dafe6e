"""rule_mirrors: only the roles the plan needs are judged; an unanswered upstream PyTorch index is not a problem
when the plan's fallback sources carry the build. Probe facts are recorded values (MirrorProbe), as the probe
returns them."""

from __future__ import annotations

from llmenv.mirrors.decide import MirrorProbe, choose_mirrors
from llmenv.mirrors.findings import rule_mirrors
from llmenv.verify.model import Finding, Status

DNS = "host name does not resolve (Name or service not known)"
PROBES = [
    MirrorProbe("upstream", "pypi", "https://pypi.org/simple", True, 0.1, "lists numpy-2.2.6-cp311.whl"),
    MirrorProbe("upstream", "pytorch", "https://download.pytorch.org/whl/cpu", False, 0.01, DNS),
    MirrorProbe("upstream", "huggingface", "https://huggingface.co", False, 0.01, DNS),
]


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings}


def test_roles_the_plan_does_not_need_are_skipped_whatever_their_probe_says() -> None:
    found = by_id(rule_mirrors(choose_mirrors(None, "", {}, "cpu"), PROBES, "llmenv setup torch", ("pypi",)))
    assert found["network.mirror.pypi"].status is Status.OK
    for role in ("pytorch", "huggingface", "python"):
        assert found[f"network.mirror.{role}"].status is Status.SKIP
        assert found[f"network.mirror.{role}"].title == f"{role}: not needed"
    assert "network.mirror.imdb" not in found


def test_an_unanswered_upstream_pytorch_index_warns_unless_the_fallback_carries_the_build() -> None:
    mirrors = choose_mirrors(None, "", {}, "cpu")
    needed = ("pypi", "pytorch")
    alone = by_id(rule_mirrors(mirrors, PROBES, "llmenv setup torch", needed))["network.mirror.pytorch"]
    assert alone.status is Status.WARN and "--mirror" not in (alone.fix or "")  # no set answers: add one
    covered = rule_mirrors(mirrors, PROBES, "llmenv setup torch", needed, variant_covered=True)
    finding = by_id(covered)["network.mirror.pytorch"]
    assert finding.status is Status.SKIP and "network.index.variant" in finding.evidence
