"""The CLI as a separate process: `python -m llmenv` and what importing it for `--help` costs."""

from __future__ import annotations

import subprocess
import sys

from llmenv import __version__


def test_python_dash_m_and_console_script_agree() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "llmenv", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert out == f"llmenv {__version__}\n"


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\nfrom llmenv.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pydantic', 'yaml', 'rich.table', 'platformdirs', 'virtualenv') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "HEAVY="
