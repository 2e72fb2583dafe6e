"""uv backend. uv reads none of pip's configuration, so every source pip would use is passed explicitly."""

from __future__ import annotations

from pathlib import Path

from llmenv.errors import HostError
from llmenv.execute.installers import Command, run_command
from llmenv.execute.installers.credentials import private_sources
from llmenv.execute.installers.seed import bundled_wheel
from llmenv.plan.model import Indexes, Plan
from llmenv.process import ProcResult
from llmenv.tools import uv_binary


def source_args(indexes: Indexes) -> tuple[list[str], dict[str, str]]:
    """pip configuration -> uv options and environment. Pure, so the translation is tested without installing."""
    args: list[str] = []
    env: dict[str, str] = {"UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"}
    if indexes.no_index:
        args.append("--no-index")
    else:
        default = indexes.default_index()  # the PyPI mirror, when one is set
        if default:
            args += ["--index-url", default.reveal()]
        # uv searches extra indexes before the default one; the variant index goes first of all. A flat PyTorch
        # mirror (a page of wheel links) is find-links, which uv reads as flat.
        variant, flat = indexes.variant_source()
        if variant and flat:
            args += ["--find-links", variant.reveal()]
        extras = ([variant] if variant and not flat else []) + list(indexes.extra_index_urls)
        for url in extras:
            args += ["--extra-index-url", url.reveal()]
        if extras or flat:
            # pip merges every index and takes the best match; uv's default stops at the first index that has the
            # project. The pins are exact (and carry the variant label), so pip's behaviour is the safe one here.
            args += ["--index-strategy", "unsafe-best-match"]
    for link in indexes.find_links:
        args += ["--find-links", link]
    for host in indexes.trusted_hosts:
        args += ["--allow-insecure-host", host]
    if indexes.cert:
        env["SSL_CERT_FILE"] = indexes.cert
    if indexes.client_cert:
        env["SSL_CLIENT_CERT"] = indexes.client_cert
    if indexes.proxy:
        env["HTTPS_PROXY"] = env["HTTP_PROXY"] = indexes.proxy.reveal()
    return args, env


def pip_wheel(plan: Plan) -> str:
    minor = ".".join(plan.python_version.split(".")[:2])
    wheel = bundled_wheel("pip", minor)
    if wheel is None:
        raise HostError(
            f"virtualenv bundles no pip wheel for Python {minor}, so llmenv cannot seed pip into the env",
            fix="choose a Python that virtualenv supports with --python, or upgrade virtualenv in llmenv's environment",
        )
    return str(wheel)


class UvInstaller:
    name = "uv"

    def create(self, plan: Plan, target: Path, log: Path) -> ProcResult:
        return run_command(self.create_command(plan, target), log, timeout=600)

    def create_command(self, plan: Plan, target: Path) -> Command:
        argv = [uv_binary(), "venv", "--allow-existing", "--no-python-downloads", "--python", plan.python.value]
        return Command([*argv, str(target)], {"UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1"})

    def seed_command(self, plan: Plan, python: Path) -> Command | None:
        """Hash-checked installs cannot carry the unhashed pip wheel along, so they seed it in a second step."""
        return Command(
            [uv_binary(), "pip", "install", "--python", str(python), "--no-index", pip_wheel(plan)], {"NO_COLOR": "1"}
        )

    def install_command(self, plan: Plan, python: Path, requirements_file: Path | None) -> Command:
        args, env = source_args(plan.indexes)
        if requirements_file is None:
            # A hashed lock was compiled under these constraints already, and hash mode rejects unhashed ones.
            for constraint in plan.indexes.constraints:
                args += ["--constraints", constraint]
        # pip comes from the wheel virtualenv bundles (no index needed), in the same resolution: without it, `pip
        # install` in an activated env would run some other Python's pip, the very trap llmenv exists to remove.
        if plan.offline:
            args.append("--offline")  # uv's cache and local find-links only
        what = (
            ["--require-hashes", "-r", str(requirements_file)]
            if requirements_file
            else [*plan.requirements, pip_wheel(plan)]
        )
        return private_sources(Command([uv_binary(), "pip", "install", "--python", str(python), *args, *what], env))


__all__ = ["UvInstaller", "source_args"]
