"""Rules about the user's shell around Python (facts from `llmenv.probe.shell`): what breaks the user's own
`python`, or sends the user's own `pip install` in the activated env somewhere else. llmenv's children run without
these variables, so setup succeeding says nothing about them: doctor has to."""

from __future__ import annotations

from llmenv.probe import HostFacts
from llmenv.probe.shell import other_version_entries
from llmenv.verify.host.context import HostContext
from llmenv.verify.model import Finding, fail, ok, warn

UNSET_HOME = (
    "`unset PYTHONHOME` and remove it from your shell profile (~/.bashrc, ~/.profile); a normal Python needs none"
)
PIP_WHAT = {
    "PIP_USER": "`pip install` inside the activated env fails: \"Can not perform a '--user' install. User "
    'site-packages are not visible in this virtualenv."',
    "PIP_TARGET": "`pip install` puts packages into {value}, not into the env",
    "PIP_PREFIX": "`pip install` puts packages under {value}, not into the env",
}


def rule_shell(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    shell = facts.shell.value
    if shell is None:
        return []
    out: list[Finding] = []
    if shell.pythonhome:
        where = f"PYTHONHOME={shell.pythonhome}"
        if shell.pythonhome_stdlib is False:
            out.append(
                fail(
                    "python.pythonhome",
                    "python",
                    "PYTHONHOME breaks `python`: it names no standard library for this Python",
                    f"{where} has no lib/python{shell.python_version or 'X.Y'}/encodings, so `python` (and every "
                    "venv's python) stops at start-up with \"No module named 'encodings'\"",
                    UNSET_HOME,
                )
            )
        else:
            out.append(
                warn(
                    "python.pythonhome",
                    "python",
                    "PYTHONHOME is set: every Python, venvs included, takes its standard library from there",
                    where,
                    UNSET_HOME,
                )
            )
    if shell.pythonpath:
        others = other_version_entries(shell)
        missing = [e for e, exists in shell.pythonpath if not exists]
        shown = ", ".join(e for e, _ in shell.pythonpath)
        if others or missing:
            problems = [f"{e} belongs to another Python than {shell.python_version}" for e in others]
            problems += [f"{e} does not exist" for e in missing]
            out.append(
                warn(
                    "python.pythonpath",
                    "python",
                    "PYTHONPATH puts folders before every env's own packages",
                    f"PYTHONPATH={shown}: " + "; ".join(problems),
                    "remove those entries, or `unset PYTHONPATH` (and drop it from your shell profile): packages "
                    "built for another Python fail to import or load the wrong build",
                )
            )
        else:
            out.append(ok("python.pythonpath", "python", "PYTHONPATH is set; its folders come first", shown))
    if shell.pip:
        out.append(
            warn(
                "pip.redirect",
                "pip",
                f"{', '.join(shell.pip)} in the shell: your own `pip install` in the env goes elsewhere",
                "; ".join(f"{k}={v}: " + PIP_WHAT[k].format(value=v) for k, v in shell.pip.items())
                + " (llmenv's own installs run without them)",
                f"`unset {' '.join(shell.pip)}` and drop them from your shell profile",
            )
        )
    out += _pyenv(facts)
    return out


def _pyenv(facts: HostFacts) -> list[Finding]:
    shell = facts.shell.value
    choice = shell.pyenv if shell else None
    if choice is None or not choice.missing:
        return []
    report = facts.interpreters.value
    shims = report.pyenv_shims if report else None
    status = fail if shims else warn
    names = ", ".join(choice.missing)
    effect = (
        f'every pyenv shim (`python`, `pip`) fails here: "pyenv: version `{choice.missing[0]}\' is not installed"'
        if shims
        else "pyenv's shims are not on PATH now, but fail wherever they are"
    )
    change = "`unset PYENV_VERSION`" if choice.origin == "PYENV_VERSION" else f"edit {choice.origin}"
    return [
        status(
            "python.pyenv-version",
            "python",
            f"pyenv selects Python {names}, which is not installed",
            f"{choice.origin} names {' '.join(choice.versions)}; {effect}",
            f"`pyenv install {choice.missing[0]}`, or {change} to name an installed version (`pyenv versions`)",
        )
    ]


__all__ = ["rule_shell"]
