"""The pip configuration pip itself would use, read the way pip reads it, with values kept as `Secret`s.

llmenv needs this twice: doctor reports it (redacted), and the uv backend must be handed the same indexes,
find-links, certificates and constraints, since uv ignores pip.conf. Precedence follows pip's own
`Configuration`: global files < user files < site file < $PIP_CONFIG_FILE < PIP_* variables, and a command
section ([install]) beats [global] wherever it is; a readable $PIP_CONFIG_FILE disables the user files.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

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
    files: tuple[tuple[str, str, bool], ...]  # (kind, path, exists)
    settings: Mapping[str, PipSetting]

    def get(self, key: str) -> list[str]:
        setting = self.settings.get(key)
        return setting.values() if setting else []

    def flag(self, key: str) -> bool:
        values = self.get(key)
        return bool(values) and values[0].lower() in ("1", "true", "yes", "on")


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
    if env_file and env_file != os.devnull:
        files.append(("env", Path(env_file)))
    return files


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
                key = key.replace("_", "-").lower()
                if key in KEYS:
                    settings[key] = PipSetting(key, Secret(value), f"{label} [{section}]")
    for key in KEYS:
        name = "PIP_" + key.upper().replace("-", "_")
        if name in env:
            settings[key] = PipSetting(key, Secret(env[name]), f"env {name}")
    return settings


def probe_pip_config(env: Mapping[str, str] | None = None, prefix: str | None = None) -> PipConfig:
    import platform

    env = os.environ if env is None else env
    files = config_files(env, system=platform.system(), home=Path.home(), prefix=prefix or sys.prefix)
    contents = []
    listed = []
    for kind, path in files:
        exists = path.is_file()
        listed.append((kind, str(path), exists))
        if exists:
            try:
                contents.append((str(path), parse_pip_ini(path.read_text(encoding="utf-8", errors="replace"))))
            except (OSError, configparser.Error):
                continue
    return PipConfig(tuple(listed), effective(contents, env))


__all__ = ["KEYS", "PipConfig", "PipSetting", "config_files", "effective", "parse_pip_ini", "probe_pip_config"]
