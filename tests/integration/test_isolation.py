"""The isolation fixture against a developer's shell that sets llmenv overrides."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_overrides_in_the_shell_do_not_reach_tests() -> None:
    """Failed before the fix: LLMENV_CUDA_DRIVER=470.256.02 in the environment made doctor's tests see a GPU."""
    env = {
        **os.environ,
        "LLMENV_CUDA_DRIVER": "470.256.02",
        "LLMENV_GPU_CC": "7.5",
        "LLMENV_IMDB": "/nonexistent",
        "LLMENV_CONFIG_DIR": "/nonexistent",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/unit/test_isolation.py::test_no_llmenv_override_reaches_a_test",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:]
