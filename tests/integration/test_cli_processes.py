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


def _entry(tmp: str, argv: list[str], before: str = "") -> subprocess.CompletedProcess[str]:
    code = (
        f"import atexit, sys\nfrom llmenv.cli import run\n{before}\n"
        f"atexit.register(lambda: open({tmp!r} + '/atexit', 'w').write('ran'))\n"
        f"sys.argv = ['llmenv', *{argv!r}]\nrun()\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_entry_point_flushes_pipes_keeps_the_status_and_runs_exit_handlers(tmp_path: object) -> None:
    """`run` leaves with os._exit (no interpreter teardown): what is buffered for a pipe must still come out, the
    exit status must be main's, and handlers registered with atexit must still run."""
    ok = _entry(str(tmp_path), ["--version"])
    assert (ok.returncode, ok.stdout) == (0, f"llmenv {__version__}\n")
    assert (tmp_path / "atexit").read_text() == "ran"  # type: ignore[operator]
    (tmp_path / "atexit").unlink()  # type: ignore[operator]
    bad = _entry(str(tmp_path), ["profiles", "show", "no-such-profile", "--json"])
    assert bad.returncode == 2, bad.stderr
    assert '"exit_code": 2' in bad.stdout and "no-such-profile" in bad.stderr
    assert (tmp_path / "atexit").read_text() == "ran"  # type: ignore[operator]


def test_the_entry_point_does_not_wait_for_abandoned_threads(tmp_path: object) -> None:
    """A probe thread left past its deadline (a hung DNS lookup) is not joined at exit, as the interpreter's own exit
    would: the command ends when its work does."""
    hung = "import threading, time\nthreading.Thread(target=time.sleep, args=(600,)).start()"
    done = _entry(str(tmp_path), ["--version"], before=hung)
    assert done.returncode == 0 and done.stdout == f"llmenv {__version__}\n"
