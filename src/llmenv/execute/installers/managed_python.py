"""Install a managed CPython (python-build-standalone) with uv into llmenv's data folder.

`--no-bin` and `--no-registry` keep uv from linking it into ~/.local/bin or the Windows registry, and the private
UV_PYTHON_INSTALL_DIR keeps it away from the user's own uv Pythons: the system Python and PATH are never touched.
A `python` mirror becomes UV_PYTHON_INSTALL_MIRROR (uv then uses it alone, without falling back to GitHub).
UV_PYTHON_DOWNLOADS_JSON_URL, when the user (or a test) sets it, passes through to uv unchanged.
"""

from __future__ import annotations

from pathlib import Path

from llmenv.errors import InstallError
from llmenv.execute.installers import Command, mirror_fix, run_command, unreachable_hosts
from llmenv.plan.managed import ManagedPython
from llmenv.tools import uv_binary


def _env(managed: ManagedPython) -> dict[str, str]:
    env = {"UV_PYTHON_INSTALL_DIR": managed.install_dir, "UV_PYTHON_DOWNLOADS": "automatic", "NO_COLOR": "1"}
    if managed.mirror:
        env["UV_PYTHON_INSTALL_MIRROR"] = managed.mirror
    return env


def install_command(managed: ManagedPython) -> Command:
    argv = [uv_binary(), "python", "install", managed.minor, "--no-bin", "--no-registry"]
    return Command(argv, _env(managed))


def find_command(managed: ManagedPython) -> Command:
    argv = [uv_binary(), "python", "find", "--managed-python", "--no-python-downloads", managed.minor]
    return Command(argv, _env(managed))


def install_managed_python(managed: ManagedPython, log: Path, setup_command: str) -> Path:
    """Install (or find, when already there) the planned CPython; returns its interpreter."""
    Path(managed.install_dir).mkdir(parents=True, exist_ok=True)
    result = run_command(install_command(managed), log, timeout=900)
    if not result.ok:
        from llmenv.execute.build import relevant_lines

        output = result.stdout + "\n" + result.stderr
        hosts = unreachable_hosts(output)
        fix = (
            mirror_fix(hosts, setup_command)
            if hosts
            else "install Python yourself (python.org, or `uv python install` with a mirror), then run setup again"
        )
        excerpt = "\n".join(f"  {line}" for line in relevant_lines(output))
        raise InstallError(
            f"installing managed CPython {managed.minor} with uv failed:\n{excerpt}\nFull log: {log}", fix=fix
        )
    found = run_command(find_command(managed), log, timeout=60)
    path = found.stdout.strip().splitlines()[-1] if found.ok and found.stdout.strip() else ""
    if not path or not Path(path).exists():
        raise InstallError(
            f"uv installed CPython {managed.minor} but cannot find it in {managed.install_dir}: {found.stderr.strip()}",
            fix=f"see the log: {log}",
        )
    return Path(path)


__all__ = ["find_command", "install_command", "install_managed_python"]
