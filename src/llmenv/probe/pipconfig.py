"""The pip configuration pip itself would use, read the way pip reads it, with values kept as `Secret`s.

llmenv needs this twice: doctor reports it (redacted), and the uv backend must be handed the same indexes,
find-links, certificates and constraints, since uv ignores pip.conf. Precedence follows pip's own
`Configuration`: global files < user files < site file < $PIP_CONFIG_FILE < PIP_* variables, and a command
section ([install]) beats [global] wherever it is; a readable $PIP_CONFIG_FILE disables the user files, and
PIP_CONFIG_FILE=/dev/null (os.devnull) makes pip load no file at all. An option's every spelling counts
(`default-timeout` is `timeout`). The "site" file belongs to the pip the user runs (its interpreter's prefix),
not to llmenv's own venv; it is found without starting any process, so re-runs stay cheap.
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from llmenv.door.files import PIP_CONFIG, read_bytes
from llmenv.errors import InputError
from llmenv.probe.interpreters import pyenv_version
from llmenv.redact import Secret

KEYS = (
    "index-url",
    "extra-index-url",
    "find-links",
    "no-index",
    "cert",
    "client-cert",
    "trusted-host",
    "proxy",
    "constraint",
    "timeout",
    "only-binary",
    "pre",
)
MULTI = {"extra-index-url", "find-links", "trusted-host", "constraint"}
# Other spellings pip accepts for the same option (its `--default-timeout` and `--timeout` are one option).
ALIASES = {"default-timeout": "timeout", "constraints": "constraint"}


@dataclass(frozen=True)
class PipSetting:
    key: str
    value: Secret
    origin: str  # "/etc/pip.conf [global]" or "env PIP_FIND_LINKS"

    def values(self) -> list[str]:
        raw = self.value.reveal()
        return raw.split() if self.key in MULTI else [raw.strip()]


@dataclass(frozen=True)
class PipConfig:
    files: tuple[tuple[str, str, bool], ...]  # (kind, path, exists), as `pip config debug` lists them
    settings: Mapping[str, PipSetting]
    loaded: tuple[str, ...] = ()  # the files pip actually reads (none under PIP_CONFIG_FILE=/dev/null)
    site_prefix: str | None = None  # the prefix whose pip.conf is the "site" file: the user's pip's interpreter

    def get(self, key: str) -> list[str]:
        setting = self.settings.get(key)
        return setting.values() if setting else []

    def flag(self, key: str) -> bool:
        values = self.get(key)
        return bool(values) and values[0].lower() in ("1", "true", "yes", "on")

    def first(self, key: str) -> str | None:
        """The value pip uses for a single-valued key (cert, proxy, index-url)."""
        values = self.get(key)
        return values[0] if values else None


def first_of(config: PipConfig | None, key: str) -> str | None:
    """`config.first(key)` for a configuration that may not have been read: the one lookup of pip's cert, proxy
    and index-url that every network step uses."""
    return config.first(key) if config is not None else None


def config_files(env: Mapping[str, str], *, system: str, home: Path, prefix: str) -> list[tuple[str, Path]]:
    """pip's file list for this OS (pip/_internal/configuration.py `get_configuration_files`)."""
    files: list[tuple[str, Path]] = []
    if system == "Windows":
        program_data = env.get("PROGRAMDATA", r"C:\ProgramData")
        files.append(("global", Path(program_data) / "pip" / "pip.ini"))
        appdata = env.get("APPDATA", str(home / "AppData" / "Roaming"))
        user = [home / "pip" / "pip.ini", Path(appdata) / "pip" / "pip.ini"]
        site = Path(prefix) / "pip.ini"
    elif system == "Darwin":
        files.append(("global", Path("/Library/Application Support/pip/pip.conf")))
        user = [home / ".pip" / "pip.conf", home / "Library" / "Application Support" / "pip" / "pip.conf"]
        site = Path(prefix) / "pip.conf"
    else:
        for folder in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep):
            if folder:
                files.append(("global", Path(folder) / "pip" / "pip.conf"))
        files.append(("global", Path("/etc/pip.conf")))
        config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
        user = [home / ".pip" / "pip.conf", config_home / "pip" / "pip.conf"]
        site = Path(prefix) / "pip.conf"
    env_file = env.get("PIP_CONFIG_FILE")
    if not (env_file and Path(env_file).exists()):
        files += [("user", p) for p in user]
    files.append(("site", site))
    if env_file:
        files.append(("env", Path(env_file)))
    return files


def loads_no_files(env: Mapping[str, str]) -> bool:
    """pip skips every configuration file when PIP_CONFIG_FILE is os.devnull (pip's `_load_config_files`)."""
    return env.get("PIP_CONFIG_FILE") == os.devnull


def parse_pip_ini(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    return {section: dict(parser.items(section)) for section in parser.sections()}


def effective(
    contents: list[tuple[str, dict[str, dict[str, str]]]], env: Mapping[str, str], command: str = "install"
) -> dict[str, PipSetting]:
    """Fold parsed files (in load order) and PIP_* variables into the settings `pip <command>` sees."""
    settings: dict[str, PipSetting] = {}
    for section in ("global", command):
        for label, sections in contents:
            for key, value in sections.get(section, {}).items():
                key = canonical_key(key)
                if key in KEYS:
                    settings[key] = PipSetting(key, Secret(value), f"{label} [{section}]")
    for name, value in env.items():
        if name.startswith("PIP_") and (key := canonical_key(name[4:])) in KEYS:
            settings[key] = PipSetting(key, Secret(value), f"env {name}")
    return settings


def canonical_key(key: str) -> str:
    key = key.replace("_", "-").lower()
    return ALIASES.get(key, key)


def user_pip_prefix(env: Mapping[str, str], path_value: str | None = None) -> str | None:
    """The prefix of the Python that the user's `pip` (else `pip3`, else `python3 -m pip`) installs into.

    Read from files only: the pip script's shebang names its interpreter; a pyenv shim is resolved the way pyenv
    does (PYENV_VERSION, then a .python-version file up from the working folder, then $PYENV_ROOT/version)."""
    path_value = env.get("PATH", "") if path_value is None else path_value
    for name in ("pip", "pip3", "python3", "python"):
        found = shutil.which(name, path=path_value)
        if not found:
            continue
        shims = _pyenv_shims(env)
        if shims and os.path.dirname(os.path.abspath(found)) == shims:
            version = next(iter(pyenv_version(env)), None)
            if version and version != "system":
                return str(Path(shims).parent / "versions" / version)
            rest = os.pathsep.join(e for e in path_value.split(os.pathsep) if os.path.abspath(e or ".") != shims)
            return user_pip_prefix(env, rest)
        exe = _interpreter_of(found)
        if exe:
            return _prefix_of(exe)
    return None


def _pyenv_shims(env: Mapping[str, str]) -> str | None:
    root = env.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    return os.path.abspath(os.path.join(root, "shims"))


def _interpreter_of(path: str) -> str | None:
    """A Python is its own interpreter; a pip script names its interpreter in its shebang."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return path  # a binary: python itself, or a Windows pip.exe launcher beside python.exe
    words = head[2:].split(b"\n")[0].decode(errors="replace").split()
    if not words:
        return None
    if os.path.basename(words[0]) == "env" and len(words) > 1:
        return shutil.which(words[-1]) if "python" in os.path.basename(words[-1]) else None
    return words[0] if "python" in os.path.basename(words[0]) else None


def _prefix_of(exe: str) -> str:
    """sys.prefix of an interpreter, from its location: a venv's folder holds pyvenv.cfg; `<prefix>/bin/python`
    on POSIX, `<prefix>\\python.exe` (or a venv's `Scripts\\python.exe`) on Windows."""
    folder = Path(exe).parent
    if (folder.parent / "pyvenv.cfg").is_file():
        return str(folder.parent)
    if folder.name in ("bin", "Scripts"):
        return str(folder.parent)
    return str(folder)


def probe_pip_config(env: Mapping[str, str] | None = None, prefix: str | None = None) -> PipConfig:
    """`prefix`: the site file's prefix; by default that of the user's pip (llmenv's own only when none is found)."""
    import platform

    env = os.environ if env is None else env
    prefix = prefix or user_pip_prefix(env) or sys.prefix
    files = config_files(env, system=platform.system(), home=Path.home(), prefix=prefix)
    contents = []
    listed = []
    skip_all = loads_no_files(env)
    for kind, path in files:
        exists = path.exists()
        listed.append((kind, str(path), exists))
        if exists and not skip_all and path.is_file():
            try:  # the door: a regular file of at most 1 MiB (a FIFO swapped in, or a 2 GB file, is passed over)
                text = read_bytes(path, PIP_CONFIG).decode("utf-8", errors="replace")
                contents.append((str(path), parse_pip_ini(text)))
            except (InputError, configparser.Error):
                continue
    return PipConfig(tuple(listed), effective(contents, env), tuple(label for label, _ in contents), prefix)


__all__ = [
    "ALIASES",
    "KEYS",
    "PipConfig",
    "PipSetting",
    "canonical_key",
    "config_files",
    "effective",
    "first_of",
    "loads_no_files",
    "parse_pip_ini",
    "probe_pip_config",
    "user_pip_prefix",
]
