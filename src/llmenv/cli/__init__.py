"""The Typer app and the single error boundary.

Commands live one per module and stay thin: parse options, call the core, render. Everything that can go wrong
reaches `main()` as an `LlmenvError` (a paragraph and an exit code) or as a bug (a short line, exit 70, and a log
file holding the traceback): users never see a raw traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from typing import Annotated, Any

import typer

from llmenv import __version__
from llmenv.errors import ExitCode, LlmenvError, UsageError

# name -> (module under llmenv.cli, attribute), in the order `llmenv --help` lists them. Each module is imported
# only when its command is registered, and `main` registers only the command it was asked for: `llmenv setup` does
# not import doctor, bundle or report code (measured: 3 ms of its start, small but paid by every run).
COMMANDS: dict[str, tuple[str, str]] = {
    "setup": ("setup", "setup"),
    "doctor": ("doctor", "doctor"),
    "probe": ("doctor", "probe"),
    "smoke": ("smoke", "smoke"),
    "rollback": ("setup", "rollback"),
    "lock": ("lock", "lock"),
    "export": ("export", "export"),
    "bundle": ("bundle", "bundle"),
}
GROUPS: tuple[str, ...] = ("profiles", "ci", "report")


def build_app(only: str | None = None) -> typer.Typer:
    """The Typer app with every command, or with just `only` (which must be one of COMMANDS or GROUPS)."""
    app = typer.Typer(
        name="llmenv",
        help="Install, pin, verify and smoke-test a deep-learning Python environment in one command.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    for name, (module, attribute) in COMMANDS.items():
        if only in (None, name):
            app.command(name)(getattr(importlib.import_module(f"llmenv.cli.{module}"), attribute))
    for name in GROUPS:
        if only in (None, name):
            app.add_typer(importlib.import_module(f"llmenv.cli.{name}").app, name=name)
    app.callback()(_root)
    return app


def _requested(args: list[str]) -> str | None:
    """The command a command line names in first place; None (every command) for anything else, so that `--help`,
    `--version` and a misspelt command get the full app's listing and suggestions."""
    first = args[0] if args else ""
    return first if first in COMMANDS or first in GROUPS else None


def __getattr__(name: str) -> Any:
    """`llmenv.cli.app`, the whole app, built on first use (the README test walks its commands)."""
    if name == "app":
        return build_app()
    raise AttributeError(name)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"llmenv {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Install, pin, verify and smoke-test a deep-learning Python environment in one command."""


def _github_error(text: str) -> None:
    """Under GitHub Actions an llmenv error is also an annotation, so it shows on the run's summary page."""
    import os

    if os.environ.get("GITHUB_ACTIONS") == "true":
        message = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        sys.stderr.write(f"::error title=llmenv::{message}\n")


def _safe_streams() -> None:
    """An ASCII-only terminal (PYTHONIOENCODING=ascii, a C locale) must not turn a non-ASCII path into a crash:
    characters the stream cannot encode are written as escapes instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def _json_error(args: list[str], exc: LlmenvError) -> None:
    """With --json, a failure is also a JSON document on stdout: scripts parse stdout and must not get nothing."""
    if "--json" not in args:
        return
    import json

    from llmenv.errors import error_document

    sys.stdout.write(json.dumps(error_document(exc), indent=2) + "\n")
    sys.stdout.flush()


def _fail(args: list[str], exc: LlmenvError) -> None:
    from llmenv.report.console import print_error

    _json_error(args, exc)
    text = exc.render()
    if exc.exit_code == ExitCode.INTERRUPTED:
        sys.stderr.write(f"{text}\n")  # what state things are in, not an error
        sys.exit(int(exc.exit_code))
    print_error(text)
    _github_error(text)
    sys.exit(int(exc.exit_code))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; exits with a code from `llmenv.errors.ExitCode`. Everything it prints passes the
    sink (`llmenv.sink`), which redacts credentials."""
    from llmenv.sink import streams

    _safe_streams()
    with streams():
        _main(argv)


def _main(argv: list[str] | None) -> None:
    args = list(argv if argv is not None else sys.argv[1:])
    stdout = sys.stdout
    try:
        from llmenv.cli.options import check_env_arguments
        from llmenv.sink import refuse_secret_arguments

        refuse_secret_arguments(args)
        check_env_arguments(args)
        build_app(_requested(args))(args=argv, prog_name="llmenv")
    except SystemExit as exc:
        if sys.stdout is not stdout and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            # click met a closed pipe (`llmenv ... | head -2`), silenced stdout and exits 1, as if a check
            # had failed; it is the reader that stopped: exit as a program stopped by SIGPIPE does.
            raise SystemExit(CLOSED_PIPE) from None
        if exc.code == int(ExitCode.INTERRUPTED) and _from_ctrl_c(exc):
            # Typer turns a Ctrl-C outside a command's own handling into a silent exit 130: say it.
            _interrupted(args)
        if exc.code == int(ExitCode.USAGE):
            # Only click's own usage errors (an unknown option, a value of the wrong type) exit 2 from inside the
            # app; it printed them on stderr, and --json still owes stdout a document.
            _json_error(
                args,
                UsageError(
                    "the command line is not valid (the message above says which option)",
                    fix=f"see `llmenv {args[0] if args else ''} --help`".replace("  ", " "),
                ),
            )
        raise
    except LlmenvError as exc:
        _fail(args, exc)
    except KeyboardInterrupt:
        from llmenv.report.console import print_error

        print_error("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(CLOSED_PIPE)
    except OSError as exc:
        from llmenv.errors import os_error_reason

        if exc.filename is None and os_error_reason(exc)[1] == "check the path and the disk it is on":
            _internal(args, exc)
        # A file-system refusal (full disk, read-only mount, permissions) is the host's state, not a bug.
        from llmenv.errors import file_system_error

        _fail(args, file_system_error(exc, "write"))
    except Exception as exc:
        _internal(args, exc)


# `llmenv ... | head -2`: the reader closed the pipe. Quiet, and the status of a program stopped by SIGPIPE
# (128 + 13), which shells and `set -o pipefail` already know; not 1, which means a check failed.
CLOSED_PIPE = 141


def _silence_stdout() -> None:
    """Point stdout at the null device, so that the flush on the way out does not meet the closed pipe again."""
    import os

    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _from_ctrl_c(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(8):
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
        if isinstance(seen, KeyboardInterrupt):
            return True
    return False


def _interrupted(args: list[str]) -> None:
    """doctor and probe change nothing; of other commands the state is not known here."""
    from llmenv.errors import Interrupted

    read_only = bool(args) and args[0] in ("doctor", "probe")
    _json_error(args, Interrupted("interrupted; nothing was changed" if read_only else "interrupted"))
    sys.stderr.write("interrupted; nothing was changed\n" if read_only else "interrupted\n")
    sys.stderr.flush()


def _internal(args: list[str], exc: Exception) -> None:
    from llmenv.errors import LlmenvError as Error
    from llmenv.report.console import print_error
    from llmenv.report.crash import write_crash_log

    log = write_crash_log(exc, args)
    text = (
        f"internal error (a bug in llmenv {__version__}): {type(exc).__name__}: {exc}\n"
        f"The traceback is in {log}; please attach it to a bug report."
    )
    _json_error(args, Error(text))
    print_error(text)
    sys.exit(int(ExitCode.INTERNAL))


def run() -> None:
    """The console script's and `python -m llmenv`'s entry: `main`, then leave without tearing the interpreter down.

    After the work is done, interpreter teardown (a final garbage collection, then freeing every module's objects:
    pydantic's, typer's, rich's) took 70-90 ms, a tenth of `llmenv setup`'s fixed cost, and it also joined probe
    threads that had been abandoned past their deadline. Exit handlers still run and the streams are flushed;
    only the teardown is skipped (the import-check payload leaves the same way). Tests call `main`, which returns.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exit_status(exc.code)
    leave(code)


def exit_status(code: object) -> int:
    """What Python makes of `sys.exit(code)`: None is 0, an int is itself, anything else is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def leave(code: int) -> None:
    import atexit
    import os

    run_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython and PyPy; elsewhere, the ordinary exit
    if run_handlers is None:
        sys.exit(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader went away before the last lines: quiet, as in `main`
            code = code or CLOSED_PIPE
        except (OSError, ValueError):  # a closed stream: Python's own exit would fail the same way
            code = code or 120
    os._exit(code)


__all__ = ["app", "main", "run"]
