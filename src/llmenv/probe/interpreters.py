"""Every Python on this machine, and what `python`, `python3` and `pip` really run.

"pip installed into a different Python than `python`" is the most common lost hour, so `pip` is traced to its
interpreter: by its shebang when it has one, else by asking `pip --version` (pyenv and other shims hide it).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from packaging.specifiers import SpecifierSet

from llmenv.probe.interpreter_query import QUERY_TIMEOUT, cache_folder, cached_query, parse_query, query
from llmenv.process import run
from llmenv.trust import untrusted_path_entries

_PY_NAME = re.compile(r"^python(\d(\.\d+)?)?(\.exe)?$", re.IGNORECASE)
_PIP_VERSION = re.compile(r"^pip (?P<pip>\S+) from (?P<location>.+) \(python (?P<python>[\d.]+)\)\s*$")


@dataclass(frozen=True)
class Interpreter:
    executable: str  # what the interpreter says sys.executable is
    found_at: tuple[str, ...]  # the paths that led to it
    found_by: tuple[str, ...]  # PATH, pyenv, uv, py-launcher, llmenv
    version: str
    implementation: str
    bits: int
    machine: str
    prefix: str
    is_venv: bool
    base_prefix: str = ""  # a venv's base interpreter's prefix: where its base Python lives

    @classmethod
    def from_answer(
        cls, info: Mapping[str, object], found_at: tuple[str, ...], found_by: tuple[str, ...]
    ) -> Interpreter:
        """From the interpreter's own answer (`query`): the one place its facts are read, for discovery and for
        `--python PATH` alike."""
        return cls(
            executable=str(info["executable"]),
            found_at=found_at,
            found_by=found_by,
            version=str(info["version"]),
            implementation=str(info["implementation"]),
            bits=int(str(info["bits"])),
            machine=str(info["machine"]),
            prefix=str(info["prefix"]),
            is_venv=info["prefix"] != info["base_prefix"],
            base_prefix=str(info["base_prefix"]),
        )


@dataclass(frozen=True)
class Command:
    """What one command name on PATH resolves to."""

    name: str
    path: str | None
    interpreter: str | None = None  # the Python it runs (sys.executable / pip's interpreter)
    python_version: str | None = None
    via: str = ""  # how we know: "run", "shebang", "pip --version"
    site_packages: str | None = None  # pip only: where it installs
    error: str | None = None
    prefix: str | None = None  # sys.prefix of that Python: what decides where packages go


@dataclass(frozen=True)
class InterpreterReport:
    interpreters: tuple[Interpreter, ...]
    broken: tuple[tuple[str, str], ...]  # (path, why)
    commands: dict[str, Command]
    path_entries: tuple[str, ...]
    missing_path_entries: tuple[str, ...]
    duplicate_path_entries: tuple[str, ...]
    empty_path_entry: bool
    pyenv_shims: str | None
    active_venv: str | None
    active_conda: str | None
    store_stubs: tuple[str, ...] = field(default=())
    pruned: tuple[str, ...] = field(default=())  # not started: their names show a version outside the wanted range
    dot_path_entries: tuple[str, ...] = field(default=())  # relative entries (`.`, `bin`): depend on the cwd
    untrusted_path_entries: tuple[tuple[str, str], ...] = field(default=())  # (entry, why): llmenv.trust's rule


def parse_shebang(first_line: str) -> list[str] | None:
    """`#!/usr/bin/python3 -E` -> ['/usr/bin/python3', '-E']; None when there is no shebang."""
    if not first_line.startswith("#!"):
        return None
    return first_line[2:].strip().split() or None


def parse_pip_version(text: str) -> tuple[str, str, str] | None:
    """`pip 23.2.1 from /x/site-packages/pip (python 3.11)` -> (pip version, site-packages, python version)."""
    for line in text.splitlines():
        match = _PIP_VERSION.match(line.strip())
        if match:
            location = match.group("location")
            site = str(Path(location).parent) if Path(location).name == "pip" else location
            return match.group("pip"), site, match.group("python")
    return None


def parse_py_launcher(text: str) -> list[tuple[str, str]]:
    """Windows `py -0p`: both the 3.11+ launcher format (` -V:3.12 *   C:\\...\\python.exe`) and the older one
    (` -3.11-64   C:\\...\\python.exe`). Returns (tag, path) pairs; the `*` marks the default and is dropped."""
    out = []
    for line in text.splitlines():
        match = re.match(r"^\s*-(?:V:)?(?P<tag>\S+)\s+(?:\*\s+)?(?P<path>\S.*?)(?:\s+\*)?\s*$", line)
        if match and (match.group("path").lower().endswith(".exe") or "/" in match.group("path")):
            out.append((match.group("tag"), match.group("path")))
    return out


def split_path(value: str) -> tuple[list[str], list[str], list[str], bool]:
    """(entries, missing, duplicates, has_empty) for a PATH string."""
    entries = value.split(os.pathsep) if value else []
    seen: set[str] = set()
    missing, duplicates = [], []
    empty = False
    for entry in entries:
        if entry == "":
            empty = True
            continue
        key = os.path.normcase(os.path.normpath(entry))
        if key in seen:
            if entry not in duplicates:
                duplicates.append(entry)
            continue
        seen.add(key)
        if not os.path.isdir(entry):
            missing.append(entry)
    return [e for e in entries if e], missing, duplicates, empty


def _candidates(path_entries: list[str], pyenv_root: Path, shims: str | None) -> dict[str, list[str]]:
    """Candidate executables -> how they were found, de-duplicated by real path."""
    found: dict[str, list[str]] = {}

    def add(path: Path, how: str) -> None:
        if path.is_file() and os.access(path, os.X_OK):
            found.setdefault(str(path), [])
            if how not in found[str(path)]:
                found[str(path)].append(how)

    skip = {e for e, _ in untrusted_path_entries(os.pathsep.join(path_entries))} | {os.path.normpath(shims or "/-")}
    for entry in path_entries:
        if entry in skip or os.path.normpath(entry) in skip or not os.path.isabs(entry):
            continue  # another user's or the working folder's (llmenv.trust); pyenv shims (versions below, listed)
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for name in names:
            if _PY_NAME.match(name):
                add(Path(entry) / name, "PATH")
    versions = pyenv_root / "versions"
    if versions.is_dir():
        for version in sorted(versions.iterdir()):
            for rel in ("bin/python", "python.exe"):
                add(version / rel, "pyenv")
    from llmenv.paths import managed_python_dir

    for uv_dir in (Path(os.environ.get("UV_PYTHON_INSTALL_DIR") or _uv_python_dir()), managed_python_dir()):
        if uv_dir.is_dir():  # uv's own Pythons, then the ones llmenv installed (plan/managed.py)
            for install in sorted(uv_dir.iterdir()):
                for rel in ("bin/python3", "python.exe"):
                    add(install / rel, "uv")
    if os.name == "nt" and shutil.which("py"):
        result = run(["py", "-0p"], timeout=QUERY_TIMEOUT)
        for _tag, exe in parse_py_launcher(result.stdout) if result.ok else []:
            add(Path(exe), "py-launcher")
    add(Path(sys.executable), "llmenv")
    return found


def _uv_python_dir() -> str:
    if os.name == "nt":
        return os.path.join(os.environ.get("APPDATA", ""), "uv", "python")
    data = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data, "uv", "python")


def pyenv_version(env: Mapping[str, str]) -> list[str]:
    """The versions pyenv's shims run, resolved as pyenv does (`llmenv.probe.shell.pyenv_selection`)."""
    from llmenv.probe.shell import pyenv_selection

    return pyenv_selection(env)[0]


def through_shim(path: str, shims: str | None, env: Mapping[str, str]) -> str | None:
    """The binary a pyenv shim would run, or None when pyenv would run the system's (or cannot tell)."""
    if not shims or os.path.dirname(os.path.abspath(path)) != os.path.abspath(shims):
        return None
    versions = Path(shims).parent / "versions"
    for version in pyenv_version(env):
        binary = versions / version / "bin" / os.path.basename(path)
        if version != "system" and binary.is_file():
            return str(binary)
    return None


def _trace_pip(path: str, python_cmd: Command | None, shims: str | None, folder: Path | None = None) -> Command:
    if shims and os.path.dirname(path) == shims and python_cmd and python_cmd.interpreter:
        # pyenv picks one version for every shim, so the shimmed pip is the one beside the shimmed python:
        # reading its shebang avoids a slow `pip --version` through the shim.
        beside = os.path.join(os.path.dirname(python_cmd.interpreter), os.path.basename(path))
        if os.path.isfile(beside):
            path = beside
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            first = handle.readline().strip()
    except OSError as exc:
        return Command("pip", path, error=str(exc))
    shebang = parse_shebang(first)
    if shebang and "python" in os.path.basename(shebang[0]) and os.path.isabs(shebang[0]):
        info, _error = cached_query(shebang[0], folder)
        if info:
            return Command(
                "pip", path, str(info["executable"]), str(info["version"]), via="shebang", prefix=str(info["prefix"])
            )
    # A shim or launcher (pyenv, Windows pip.exe): ask pip itself.
    result = run([path, "--version"], timeout=QUERY_TIMEOUT * 2)
    parsed = parse_pip_version(result.stdout) if result.ok else None
    if parsed is None:
        return Command("pip", path, error=result.describe_failure() if not result.ok else "unrecognised output")
    _pip, site, python_version = parsed
    return Command("pip", path, None, python_version, via="pip --version", site_packages=site)


_VERSION_HINT = re.compile(r"(?:/versions/|python|cpython-)(\d+\.\d+)(?:\.\d+)?")


def version_hint(path: str) -> str | None:
    """The `major.minor` a path names (pyenv's versions/3.8.18, python3.9, cpython-3.12), if any."""
    match = _VERSION_HINT.search(path.replace("\\", "/"))
    return match.group(1) if match else None


def might_satisfy(path: str, wanted: SpecifierSet | None) -> bool:
    """False only when the path itself names a version outside `wanted` (pyenv's versions/3.8.18, python3.9):
    such interpreters need not be started to know they will be rejected."""
    minor = version_hint(path)
    if wanted is None or minor is None:
        return True
    return wanted.contains(f"{minor}.0") or wanted.contains(f"{minor}.999")


def venv_home(prefix: str) -> str | None:
    """The folder of a venv's base interpreter, from its pyvenv.cfg `home` key (PEP 405)."""
    try:
        text = (Path(prefix) / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "home":
            return value.strip() or None
    return None


def _base_candidates(info: dict[str, object]) -> list[str]:
    """Where a venv's base interpreter is, so it is listed even when its folder is not on PATH."""
    home = venv_home(str(info["prefix"]))
    if not home:
        return []
    minor = ".".join(str(info["version"]).split(".")[:2])
    names = (f"python{minor}", "python3", "python", "python.exe")
    return [str(Path(home) / n) for n in names if (Path(home) / n).is_file()][:1]


def probe_interpreters(
    path_value: str | None = None, wanted: SpecifierSet | None = None, trace_pip: bool = True
) -> InterpreterReport:
    path_value = os.environ.get("PATH", "") if path_value is None else path_value
    entries, missing, duplicates, empty = split_path(path_value)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    shims_dir = pyenv_root / "shims"
    shims = str(shims_dir) if any(os.path.normpath(e) == os.path.normpath(shims_dir) for e in entries) else None
    every = _candidates(entries, pyenv_root, shims)
    candidates = {p: how for p, how in every.items() if might_satisfy(p, wanted)}
    pruned = tuple(p for p in every if p not in candidates)
    stubs = tuple(p for p in candidates if "\\windowsapps\\" in p.lower() and os.path.getsize(p) == 0)
    names = ("python", "python3", "pip", "pip3")
    which = {n: shutil.which(n, path=path_value) for n in names}
    folder = cache_folder()

    def ask(path: str) -> tuple[dict[str, object] | None, str | None]:
        return cached_query(path, folder)

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(candidates, pool.map(ask, candidates), strict=True))
        # A venv's Python leads to its base interpreter (pyvenv.cfg `home`), listed even when not on PATH.
        # (A venv's python is a link to its base binary, so the two are told apart by path, not by real path.)
        bases = {
            b: ["venv base"]
            for info, _error in answers.values()
            if info and info["prefix"] != info["base_prefix"]
            for b in _base_candidates(info)
            if b not in candidates
        }
        candidates.update(bases)
        answers.update(zip(bases, pool.map(ask, bases), strict=True))
        # A pyenv shim runs a bash script per call; the binary it would run is asked instead (and cached).
        py_answers = {
            n: pool.submit(ask, through_shim(path, shims, os.environ) or path)
            for n in ("python", "python3")
            if (path := which[n])
        }
        commands: dict[str, Command] = {}
        for n, future in py_answers.items():
            info, error = future.result()
            commands[n] = (
                Command(
                    n, which[n], str(info["executable"]), str(info["version"]), via="run", prefix=str(info["prefix"])
                )
                if info
                else Command(n, which[n], error=error)
            )
        for n in ("pip", "pip3"):
            path = which[n] if trace_pip else None
            if path:
                traced = _trace_pip(path, commands.get("python"), shims, folder)
                commands[n] = Command(
                    n,
                    path,
                    traced.interpreter,
                    traced.python_version,
                    traced.via if traced.path == path else f"pyenv shim -> {traced.path} ({traced.via})",
                    traced.site_packages,
                    traced.error,
                    traced.prefix,
                )
            else:
                commands[n] = Command(n, None)
        for n in ("python", "python3"):
            commands.setdefault(n, Command(n, None))
    by_exe: dict[str, Interpreter] = {}
    broken = []
    for path, how in candidates.items():
        info, error = answers[path]
        if info is None:
            broken.append((path, error or "no answer"))
            continue
        # A venv's python is a link to its base interpreter: same binary, different prefix, different packages.
        exe = f"{os.path.realpath(str(info['executable']))}|{info['prefix']}"
        prior = by_exe.get(exe)
        by_exe[exe] = Interpreter.from_answer(
            info,
            found_at=(*(prior.found_at if prior else ()), path),
            found_by=tuple(dict.fromkeys([*(prior.found_by if prior else ()), *how])),
        )
    return InterpreterReport(
        interpreters=tuple(sorted(by_exe.values(), key=lambda i: (_version_key(i.version), i.executable))),
        broken=tuple(broken),
        commands=commands,
        path_entries=tuple(entries),
        missing_path_entries=tuple(missing),
        duplicate_path_entries=tuple(duplicates),
        empty_path_entry=empty,
        pyenv_shims=shims,
        active_venv=os.environ.get("VIRTUAL_ENV"),
        active_conda=os.environ.get("CONDA_PREFIX") or os.environ.get("CONDA_DEFAULT_ENV"),
        store_stubs=stubs,
        pruned=pruned,
        dot_path_entries=tuple(e for e in path_value.split(os.pathsep) if e and not os.path.isabs(e)),
        untrusted_path_entries=untrusted_path_entries(path_value),
    )


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


__all__ = [
    "Command",
    "Interpreter",
    "InterpreterReport",
    "cached_query",
    "might_satisfy",
    "parse_pip_version",
    "parse_py_launcher",
    "parse_query",
    "parse_shebang",
    "probe_interpreters",
    "pyenv_version",
    "query",
    "split_path",
    "through_shim",
    "venv_home",
    "version_hint",
]
