"""The user's shell around Python: variables and files that break `python` or send `pip install` elsewhere.

llmenv's own children run without them (process.clean_env drops PYTHONHOME, PYTHONPATH, PIP_TARGET, PIP_PREFIX and
sets PIP_USER=0), so setup works while the user's own `python` or `pip install` in the activated env does not.
These facts let doctor say so:

- PYTHONHOME replaces every Python's prefix, venvs included (docs.python.org/3/using/cmdline.html#envvar-PYTHONHOME):
  without `lib/pythonX.Y/encodings` (Windows: `Lib\\encodings`) there, Python stops at start-up with "Fatal Python
  error: init_fs_encoding ... No module named 'encodings'".
- PYTHONPATH entries come before site-packages: a `pythonX.Y` folder of another version loads packages built for it.
- PIP_USER (pip's `--user`): in a venv pip refuses ("Can not perform a '--user' install. User site-packages are not
  visible in this virtualenv."); PIP_TARGET / PIP_PREFIX (`--target`, `--prefix`) install outside the env
  (pip.pypa.io "Configuration": every option has a PIP_<NAME> variable).
- VIRTUAL_ENV naming a deleted folder: the activation is stale (its bin/ is gone from under PATH).
- pyenv: the version its shims run comes from PYENV_VERSION, then the nearest `.python-version` up from the working
  folder, then `$PYENV_ROOT/version` (github.com/pyenv/pyenv "Choosing the Python version"); one that is not
  installed makes every shim fail ("pyenv: version `X' is not installed").
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from llmenv.probe.facts import Probed
from llmenv.redact import redact_env_value

PIP_REDIRECTS = ("PIP_USER", "PIP_TARGET", "PIP_PREFIX")
_TRUE = ("1", "true", "yes", "on")
_VERSIONED = re.compile(r"python(\d+\.\d+)")


@dataclass(frozen=True)
class PyenvChoice:
    versions: tuple[str, ...]
    origin: str  # "PYENV_VERSION", a .python-version path, or $PYENV_ROOT/version
    missing: tuple[str, ...]  # versions named there that $PYENV_ROOT/versions lacks ("system" is never missing)


@dataclass(frozen=True)
class ShellFacts:
    pythonhome: str | None
    pythonhome_stdlib: bool | None  # an `encodings` package under PYTHONHOME for `python_version`
    pythonpath: tuple[tuple[str, bool], ...]  # (entry, exists)
    python_version: str | None  # X.Y of `python` (or `python3`) on PATH, to judge the two above
    pip: dict[str, str]  # PIP_USER / PIP_TARGET / PIP_PREFIX as set (values redacted), only when they redirect
    virtual_env: str | None
    virtual_env_exists: bool | None
    pyenv: PyenvChoice | None  # only where pyenv is installed (its root exists)


def pyenv_selection(env: Mapping[str, str], cwd: Path | None = None) -> tuple[list[str], str | None]:
    """The versions pyenv's shims run and where that came from (None: nothing selects one)."""
    if env.get("PYENV_VERSION"):
        return [v.strip() for v in env["PYENV_VERSION"].split(":") if v.strip()], "PYENV_VERSION"
    folder = cwd or Path.cwd()
    candidates = [d / ".python-version" for d in (folder, *folder.parents)]
    candidates.append(Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "version")
    for candidate in candidates:
        try:
            return candidate.read_text(encoding="utf-8", errors="replace").split(), str(candidate)
        except OSError:
            continue
    return [], None


def _stdlib(home: str, version: str | None, windows: bool) -> bool | None:
    if windows:
        return (Path(home) / "Lib" / "encodings").is_dir()
    if version is None:
        return None
    return (Path(home) / "lib" / f"python{version}" / "encodings").is_dir()


def probe_shell(
    environ: Mapping[str, str] | None = None,
    python_version: str | None = None,
    cwd: Path | None = None,
    windows: bool | None = None,
) -> Probed[ShellFacts]:
    environ = os.environ if environ is None else environ
    windows = os.name == "nt" if windows is None else windows
    home = environ.get("PYTHONHOME") or None
    entries = tuple(e for e in environ.get("PYTHONPATH", "").split(os.pathsep) if e)
    pip = {
        name: redact_env_value(name, environ[name])
        for name in PIP_REDIRECTS
        if environ.get(name) and (name != "PIP_USER" or environ[name].strip().lower() in _TRUE)
    }
    venv = environ.get("VIRTUAL_ENV") or None
    root = Path(environ.get("PYENV_ROOT") or Path(environ.get("HOME") or Path.home()) / ".pyenv")
    pyenv = None
    if root.is_dir():
        versions, origin = pyenv_selection(environ, cwd)
        if origin is not None:
            missing = tuple(v for v in versions if v != "system" and not (root / "versions" / v).is_dir())
            pyenv = PyenvChoice(tuple(versions), origin, missing)
    facts = ShellFacts(
        pythonhome=home,
        pythonhome_stdlib=_stdlib(home, python_version, windows) if home else None,
        pythonpath=tuple((e, os.path.exists(e)) for e in entries),
        python_version=python_version,
        pip=pip,
        virtual_env=venv,
        virtual_env_exists=os.path.isdir(venv) if venv else None,
        pyenv=pyenv,
    )
    return Probed(facts, "PYTHONHOME, PYTHONPATH, PIP_*, VIRTUAL_ENV, pyenv version files")


def other_version_entries(facts: ShellFacts) -> list[str]:
    """PYTHONPATH entries that name another Python's folder (`.../python3.8/site-packages` for a 3.11 `python`)."""
    if facts.python_version is None:
        return []
    return [
        entry
        for entry, _exists in facts.pythonpath
        if (m := _VERSIONED.search(entry)) and m.group(1) != facts.python_version
    ]


__all__ = ["PIP_REDIRECTS", "PyenvChoice", "ShellFacts", "other_version_entries", "probe_shell", "pyenv_selection"]
