"""The activation line setup prints works when pasted into bash, for a path with spaces, a quote and a newline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from llmenv.report.activation import activate_line


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_pasted_activation_line_runs(tmp_path: Path, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    env = tmp_path / "my env's\nproject" / ".venv"
    (env / "bin").mkdir(parents=True)
    script = "activate.fish" if shell == "fish" else "activate"
    (env / "bin" / script).write_text("set -gx ACTIVATED yes\n" if shell == "fish" else "export ACTIVATED=yes\n")
    line = activate_line(str(env), shell)
    done = subprocess.run([shell, "-c", f"{line}; echo $ACTIVATED"], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "yes", done.stderr
