"""The loader's search path: CUDA folders on LD_LIBRARY_PATH shadow the wheels' own CUDA libraries."""

from __future__ import annotations

from llmenv.profiles.load import load_profile
from llmenv.verify.host import verify_host
from tests.helpers.facts import host
from tests.helpers.host_context import host_context


def test_cuda_folders_on_ld_library_path_are_reported() -> None:
    """Failed before: not reported at all (the variable was only listed among the environment facts)."""
    facts = host(env={"LD_LIBRARY_PATH": "/opt/lib:/usr/local/cuda-11.8/lib64:/opt/conda/pkgs/cudnn-8.9/lib"})
    findings = verify_host(facts, host_context(load_profile("torch"), facts, "auto"))
    [finding] = [f for f in findings if f.id == "platform.ld-library-path"]
    assert finding.status.value == "warn"
    assert "/usr/local/cuda-11.8/lib64, /opt/conda/pkgs/cudnn-8.9/lib" in finding.evidence
    assert "/opt/lib" not in finding.evidence and "unset LD_LIBRARY_PATH" in (finding.fix or "")


def test_plain_library_path_is_not_reported() -> None:
    facts = host(env={"LD_LIBRARY_PATH": "/opt/lib:/usr/local/lib"})
    ids = [f.id for f in verify_host(facts, host_context(load_profile("torch"), facts, "auto"))]
    assert "platform.ld-library-path" not in ids
