"""LLMENV_CUDA_DRIVER / LLMENV_GPU_CC: accepted shapes and refused ones (issue 12: exit 70 and a false "ok")."""

from __future__ import annotations

import pytest

from llmenv.errors import ExitCode, UsageError
from llmenv.probe.overrides import check_gpu_overrides


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"LLMENV_CUDA_DRIVER": "550.54.14"},
        {"LLMENV_CUDA_DRIVER": "580", "LLMENV_GPU_CC": "9.0"},
        {"LLMENV_CUDA_DRIVER": "570.86", "LLMENV_GPU_CC": "8.0,9.0"},
    ],
)
def test_accepted(environ: dict[str, str]) -> None:
    check_gpu_overrides(environ)


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({"LLMENV_CUDA_DRIVER": "abc"}, "LLMENV_CUDA_DRIVER"),
        ({"LLMENV_CUDA_DRIVER": "5" * 5000}, "LLMENV_CUDA_DRIVER"),
        ({"LLMENV_CUDA_DRIVER": "550", "LLMENV_GPU_CC": "-1"}, "LLMENV_GPU_CC"),
        ({"LLMENV_CUDA_DRIVER": "550", "LLMENV_GPU_CC": "9" * 5000}, "LLMENV_GPU_CC"),
        ({"LLMENV_CUDA_DRIVER": "550", "LLMENV_GPU_CC": "8"}, "LLMENV_GPU_CC"),
        ({"LLMENV_GPU_CC": "abc"}, "LLMENV_GPU_CC"),  # refused even before a driver is set: it is a typo
    ],
)
def test_refused_with_the_variable_named(environ: dict[str, str], name: str) -> None:
    with pytest.raises(UsageError) as info:
        check_gpu_overrides(environ)
    assert info.value.exit_code == ExitCode.USAGE
    assert info.value.where == name
    assert len(info.value.render()) < 400
