"""The installers behind the `Installer` Protocol, by backend name: its own module, so the package's shared parts
(`Command`, `run_command`) and the installers that use them do not import each other."""

from __future__ import annotations

from collections.abc import Callable

from llmenv.execute.installers import Installer
from llmenv.execute.installers.pip import PipInstaller
from llmenv.execute.installers.uv import UvInstaller

INSTALLERS: dict[str, Callable[[], Installer]] = {"uv": UvInstaller, "pip": PipInstaller}


def get_installer(name: str) -> Installer:
    return INSTALLERS[name]()


__all__ = ["INSTALLERS", "get_installer"]
