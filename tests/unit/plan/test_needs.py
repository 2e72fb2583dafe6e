"""The Python range a profile needs, as the plan and doctor print it."""

from __future__ import annotations

import pytest
from packaging.specifiers import SpecifierSet

from llmenv.plan.needs import needs_for, normalize_python
from llmenv.profiles.load import load_profile


def test_torch_profile_range_is_shown_normalized() -> None:
    """QA item 5: the range printed as `<3.14,<3.16,>=3.10` (the raw intersection). Failed before the fix."""
    needs = needs_for(load_profile("torch"), "cpu")
    assert str(needs.python) == ">=3.10,<3.14"
    assert needs.python.contains("3.13.1") and not needs.python.contains("3.14.0")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<3.14,<3.16,>=3.10", ">=3.10,<3.14"),
        (">=3.9,>=3.10,<=3.13,<3.13", ">=3.10,<3.13"),
        (">3.10,>=3.10", ">3.10"),
        ("<=3.12,<3.13", "<=3.12"),
        (">=3.10,!=3.11.0,<3.14", ">=3.10,<3.14,!=3.11.0"),
        ("", ""),
        (">=3.13,<3.11", ">=3.13,<3.11"),  # empty: shown as it is, the plan says it can never be met
    ],
)
def test_normalize_keeps_the_same_versions(raw: str, shown: str) -> None:
    normalized = normalize_python(SpecifierSet(raw))
    assert str(normalized) == shown
    for minor in range(8, 17):
        for version in (f"3.{minor}.0", f"3.{minor}.5"):
            assert normalized.contains(version) == SpecifierSet(raw).contains(version), version
