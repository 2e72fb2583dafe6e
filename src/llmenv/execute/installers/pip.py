"""pip backend: virtualenv creates the env, the env's own `python -m pip` installs (never a `pip` from PATH).

pip reads the user's configuration itself (files and PIP_* variables pass through), so only the variant index and
the mirrors (which replace the configured index) are added here."""

from __future__ import annotations

from pathlib import Path

from llmenv.execute.installers import Command
from llmenv.execute.installers.credentials import private_sources
from llmenv.plan.model import Plan
from llmenv.process import ProcResult


class PipInstaller:
    name = "pip"

    def create(self, plan: Plan, target: Path, log: Path) -> ProcResult:
        """virtualenv's Python API, in-process: it seeds pip from its bundled wheels, so no index is needed."""
        import time

        from virtualenv import cli_run

        from llmenv.sink import LogWriter

        args = [str(target), "--python", plan.python.value, "--no-periodic-update", "--no-download", "--quiet"]
        start = time.perf_counter()
        with log.open("a", encoding="utf-8") as handle:
            sink = LogWriter(handle)  # redacted on its way to the log, as every tool log
            sink.write(f"virtualenv {' '.join(args)}\n")
            try:
                cli_run(args, setup_logging=False)
            except (OSError, RuntimeError, SystemExit) as exc:
                sink.write(f"virtualenv failed: {exc}\n")
                return ProcResult(("virtualenv", *args), 1, str(exc), "", time.perf_counter() - start)
        return ProcResult(("virtualenv", *args), 0, "", "", time.perf_counter() - start)

    def seed_command(self, plan: Plan, python: Path) -> Command | None:
        return None  # virtualenv already seeded pip

    def install_command(self, plan: Plan, python: Path, requirements_file: Path | None) -> Command:
        args = [str(python), "-m", "pip", "install", "--no-input", "--progress-bar", "off"]
        if plan.offline:
            args.append("--no-index")  # pip has no cache-only mode: the find-links folders remain
        else:
            if plan.indexes.pypi_mirror:  # replaces pip's configured (or default) index
                args += ["--index-url", plan.indexes.pypi_mirror.reveal()]
            variant, flat = plan.indexes.variant_source()
            if variant:
                args += ["--find-links" if flat else "--extra-index-url", variant.reveal()]
        if requirements_file is None:
            return private_sources(Command(args + list(plan.requirements), {}), plan.indexes)
        # The lock was compiled under pip's configured constraints; in hash mode pip would reject them unhashed.
        command = Command([*args, "--require-hashes", "-r", str(requirements_file)], {"PIP_CONSTRAINT": ""})
        return private_sources(command, plan.indexes)


__all__ = ["PipInstaller"]
