"""The user's own uv configuration: which files and `UV_*` variables a plain `uv pip install` would read here.

llmenv runs uv isolated (`--no-config`, no inherited `UV_*` variables except the few in UV_HONOURED), so none of
this changes what setup installs; doctor reports it because the user's own `uv pip install` in the env reads it.
Where uv looks (docs.astral.sh/uv/concepts/configuration-files): a `uv.toml`, or a `pyproject.toml` with a
`[tool.uv]` table, in the working folder or its nearest parent that has one (uv.toml wins in one folder); the
user file `$XDG_CONFIG_HOME/uv/uv.toml` (`~/.config/uv/uv.toml`; `%APPDATA%\\uv\\uv.toml` on Windows); the system
file `$XDG_CONFIG_DIRS/uv/uv.toml` or `/etc/uv/uv.toml`; `UV_CONFIG_FILE` replaces all of them. Variables:
docs.astral.sh/uv/reference/environment/. Only setting names are reported, never values (they may carry
credentials, and the files are not llmenv's).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from llmenv.probe.facts import Probed
from llmenv.redact import redact_env_value

# UV_* variables llmenv passes on to its uv calls on purpose: where uv keeps its cache (a disk-space choice), the
# system trust store (what a company CA needs), the network timeout and retries, and the Python downloads list
# tests point at.
UV_HONOURED: Final = (
    "UV_CACHE_DIR",
    "UV_NATIVE_TLS",
    "UV_HTTP_TIMEOUT",
    "UV_HTTP_RETRIES",
    "UV_PYTHON_DOWNLOADS_JSON_URL",
)
# Settings (file keys and their variables) that change where packages come from or whether the network is used.
SOURCE_KEYS: Final = frozenset(
    {"index-url", "extra-index-url", "index", "find-links", "no-index", "offline", "index-strategy", "default-index"}
)
SOURCE_VARS: Final = frozenset(
    {
        "UV_INDEX_URL",
        "UV_DEFAULT_INDEX",
        "UV_INDEX",
        "UV_EXTRA_INDEX_URL",
        "UV_FIND_LINKS",
        "UV_NO_INDEX",
        "UV_OFFLINE",
        "UV_INDEX_STRATEGY",
        "UV_CONFIG_FILE",
    }
)
_HEADER = re.compile(r"^\[{1,2}\s*([A-Za-z0-9_.\"-]+?)\s*\]{1,2}")
_ASSIGN = re.compile(r"^([a-z][a-z0-9-]{0,40})\s*=")
_MAX_BYTES = 256 * 1024


def isolated_env(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the user's UV_* variables, except those llmenv honours: what every uv child inherits (with
    `--no-config` on its command line)."""
    return {k: v for k, v in environ.items() if not k.startswith("UV_") or k in UV_HONOURED}


@dataclass(frozen=True)
class UvFile:
    path: str
    scope: str  # "project", "user", "system", "UV_CONFIG_FILE"
    keys: tuple[str, ...]  # top-level setting names found (never values)


@dataclass(frozen=True)
class UvConfig:
    files: tuple[UvFile, ...]
    variables: dict[str, str]  # every UV_* variable set, values redacted

    @property
    def source_settings(self) -> list[str]:
        """What would change a plain `uv pip install`'s sources: 'UV_INDEX_URL', 'index-url (~/.config/uv/uv.toml)'."""
        found = [name for name in self.variables if name in SOURCE_VARS]
        found += [f"{key} ({f.path})" for f in self.files for key in f.keys if key in SOURCE_KEYS]
        return found


def setting_names(text: str, pyproject: bool) -> tuple[str, ...] | None:
    """Top-level uv setting names in a uv.toml (or a pyproject's [tool.uv] table); None for a pyproject without
    one (uv skips it and looks further up). A line scan, not a TOML parse: names are all doctor shows."""
    prefix = "tool.uv" if pyproject else ""
    table: str | None = "" if not pyproject else None  # the current table, relative to uv's settings
    seen = False
    names: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        header = _HEADER.match(line)
        if header:
            name = header.group(1)
            if prefix and not (name == prefix or name.startswith(prefix + ".")):
                table = None
                continue
            table = name[len(prefix) :].lstrip(".")
            seen = True
            if table:
                names.append(table.split(".")[0])
            continue
        assign = _ASSIGN.match(line)
        if assign and table == "":
            names.append(assign.group(1))
    if pyproject and not seen:
        return None
    return tuple(dict.fromkeys(names))


def _read(path: Path) -> str | None:
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            return handle.read(_MAX_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None


def _project_file(cwd: Path) -> UvFile | None:
    for folder in (cwd, *cwd.parents):
        for name, pyproject in (("uv.toml", False), ("pyproject.toml", True)):
            text = _read(folder / name)
            if text is None:
                continue
            keys = setting_names(text, pyproject)
            if keys is not None:
                return UvFile(str(folder / name), "project", keys)
    return None


def _user_and_system(environ: Mapping[str, str], windows: bool) -> list[tuple[Path, str]]:
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or "~").expanduser()
    if windows:
        user = Path(environ.get("APPDATA", str(home / "AppData" / "Roaming"))) / "uv" / "uv.toml"
        system = Path(environ.get("SYSTEMDRIVE", "C:") + "\\") / "ProgramData" / "uv" / "uv.toml"
        return [(user, "user"), (system, "system")]
    user = Path(environ.get("XDG_CONFIG_HOME") or home / ".config") / "uv" / "uv.toml"
    dirs = [Path(d) / "uv" / "uv.toml" for d in environ.get("XDG_CONFIG_DIRS", "").split(":") if d]
    system = next((d for d in dirs if d.is_file()), Path("/etc/uv/uv.toml"))
    return [(user, "user"), (system, "system")]


def probe_uv_config(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, windows: bool | None = None
) -> Probed[UvConfig]:
    environ = os.environ if environ is None else environ
    windows = os.name == "nt" if windows is None else windows
    variables = {k: redact_env_value(k, v) for k, v in sorted(environ.items()) if k.startswith("UV_")}
    files: list[UvFile] = []
    explicit = environ.get("UV_CONFIG_FILE")
    if explicit:
        text = _read(Path(explicit))
        files.append(UvFile(explicit, "UV_CONFIG_FILE", setting_names(text, False) or () if text else ()))
    elif not environ.get("UV_NO_CONFIG"):
        project = _project_file(cwd or Path.cwd())
        files += [project] if project else []
        for path, scope in _user_and_system(environ, windows):
            text = _read(path)
            if text is not None:
                files.append(UvFile(str(path), scope, setting_names(text, False) or ()))
    return Probed(UvConfig(tuple(files), variables), "uv.toml / pyproject [tool.uv] / UV_* variables")


__all__ = [
    "SOURCE_KEYS",
    "SOURCE_VARS",
    "UV_HONOURED",
    "UvConfig",
    "UvFile",
    "isolated_env",
    "probe_uv_config",
    "setting_names",
]
