"""Injection suite for every emitter (issue 18, item 4): a value (a file name, `--llmenv-spec`, a profile path)
written into a generated file stays data. For each language the generated text is parsed the way its tool parses
it (bash, Docker's line and JSON rules, YAML, GitHub's `${{ }}` expressions), the value is read back and compared,
and the file passes its linter (bash -n, hadolint, actionlint). A value a language cannot carry is refused with
exit 2 and one paragraph, never written.

Before the emitters, `llmenv export` pasted values into `RUN`/`COPY` lines and the workflow's YAML: a spec
`x$(id)` became a command substitution in `ARG`, a newline in a file name started a new instruction or key, `#`
cut a value short and `${{ }}` was evaluated by GitHub."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmenv.errors import UsageError
from llmenv.export import emit
from tests.conftest import CliResult
from tests.integration.test_ci_outputs import tool

# Strings that have changed the structure of a shell script, Dockerfile or YAML file somewhere.
NASTY = [
    "$(touch /tmp/pwned)",
    "`id`",
    "a\nRUN touch /tmp/pwned",
    "a\nkey: injected",
    "value # comment",
    "#start",
    "${{ github.token }}",
    "${{ secrets.X }}${{",
    "$${{ x }}",
    "a'b\"c",
    "'; touch /tmp/pwned; '",
    '"; touch /tmp/pwned; "',
    "a b\tc",
    ";rm -rf /",
    "&& id",
    "| id",
    "$HOME",
    "${HOME}",
    "\\",
    "a\\",
    "\\n",
    "-rf",
    "--help",
    "{{ x }}",
    "key: value",
    "- item",
    "&anchor",
    "*alias",
    "!!python/object:os.system",
    "%YAML 1.1",
    "---",
    "...",
    "null",
    "true",
    "0x10",
    "~",
    "\x1b[31mred",
    "\r\rcarriage",
    "ünïcödé ✓",
    "line\u2028separator",
    "trailing space ",
    " leading",
    "[x]",
    "a*b",
    "what?",
    "@{x}",
    "!",
    "%",
    "",
]
PRINTABLE_NASTY = [n for n in NASTY if n and not re.search(r"[\x00-\x1f\x7f\u2028]", n)]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=4).map("".join),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---- shell -------------------------------------------------------------------------------------------------------


def bash_args(words: list[str]) -> list[str]:
    """What bash passes to a program for this command line, read back through `printf '%s\\0'`."""
    script = "printf '%s\\0' " + " ".join(words) + "\n"
    subprocess.run(["bash", "-n"], input=script.encode(), check=True)
    out = subprocess.run(["bash"], input=script.encode(), capture_output=True, check=True).stdout
    return out.decode("utf-8", "surrogateescape").split("\0")[:-1]


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=6))
def test_shell_words_reach_the_program_as_data(values: list[str]) -> None:
    assert bash_args([emit.shell_word(v) for v in values]) == values


def test_shell_command_and_assignment_round_trip(tmp_path: Path) -> None:
    script = tmp_path / "job.sh"
    lines = ["#!/bin/bash", emit.comment("\n".join(NASTY))]
    lines += [emit.shell_assignment(f"V{i}", v) for i, v in enumerate(NASTY)]
    lines += ["printf '%s\\0' " + " ".join(f'"$V{i}"' for i in range(len(NASTY))), emit.shell_command(["true", *NASTY])]
    script.write_text("\n".join(lines) + "\n")
    subprocess.run(["bash", "-n", str(script)], check=True)
    out = subprocess.run(["bash", str(script)], capture_output=True, check=True, cwd=tmp_path).stdout
    assert out.decode().split("\0")[:-1] == NASTY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job.sh"]


def test_shell_refuses_a_nul_byte() -> None:
    with pytest.raises(UsageError, match="NUL"):
        emit.shell_word("a\x00b", "--llmenv-spec")


# ---- comments ----------------------------------------------------------------------------------------------------


@SETTINGS
@given(TEXT)
def test_a_comment_is_one_line_whatever_it_holds(value: str) -> None:
    line = emit.comment(value)
    assert line.startswith("#")
    assert len(line.splitlines()) == 1 and "\r" not in line and "\n" not in line


# ---- Dockerfile --------------------------------------------------------------------------------------------------

INSTRUCTIONS = {"FROM", "ENV", "SHELL", "RUN", "COPY", "CMD"}


def docker_instructions(text: str) -> list[tuple[str, str]]:
    """Docker's reading of a Dockerfile: physical lines, `\\` continuations, `#` comment lines."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.split("\n"):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        word, _, rest = (pending + line).strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        pending = ""
    assert not pending
    return out


COPY_SPECIAL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029*?\[$'\"\\]"


def docker_word(word: str) -> str:
    """A COPY word Docker's word processing (variables, quotes, escapes, patterns) leaves as it is."""
    assert not re.search(COPY_SPECIAL, word), f"Docker would process {word!r}"
    return word


def exec_args(rest: str) -> list[str]:
    assert rest.startswith("["), rest
    args = json.loads(rest)  # Docker falls back to shell form when this is not JSON
    assert isinstance(args, list) and all(isinstance(a, str) for a in args)
    return args


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_docker_exec_form_carries_any_argument(values: list[str]) -> None:
    line = emit.docker_exec("RUN", ["/bin/prog", *values])
    ((instruction, rest),) = docker_instructions(emit.comment("x\ny") + "\n" + line + "\n")
    assert instruction == "RUN"
    assert exec_args(rest) == ["/bin/prog", *values]


@SETTINGS
@given(TEXT)
def test_docker_copy_words_round_trip_or_are_refused(value: str) -> None:
    try:
        line = emit.docker_copy([value], "/opt/x")
    except UsageError as exc:
        assert re.search(COPY_SPECIAL, value), exc
        return
    ((instruction, rest),) = docker_instructions(line)
    assert instruction == "COPY"
    assert [docker_word(w) for w in exec_args(rest)] == [value, "/opt/x"]


def test_hadolint_parses_exec_lines_with_nasty_values(tmp_path: Path) -> None:
    lines = [
        "FROM python:3.11-slim-bookworm",
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        emit.comment("\n".join(NASTY)),
    ]
    lines += [emit.docker_exec("RUN", ["/bin/true", v]) for v in NASTY]
    lines += [emit.docker_copy([v], "/opt/x/") for v in PRINTABLE_NASTY if not re.search(COPY_SPECIAL, v)]
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("\n".join(lines) + "\n")
    # DL3059 (consecutive RUNs) and DL3021 (COPY of several sources) are about style, not parsing.
    lint = subprocess.run(
        [tool("hadolint"), "--ignore", "DL3059", "--ignore", "DL3021", str(dockerfile)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    found = [exec_args(rest)[1] for word, rest in docker_instructions(dockerfile.read_text()) if word == "RUN"]
    assert found == NASTY


# ---- YAML and GitHub expressions ---------------------------------------------------------------------------------


def github_evaluate(value: str) -> str:
    """GitHub's reading of a string: each `${{ EXPR }}` replaced by its value. Only string literals are allowed
    here, so anything else the emitter let through (a context such as `github.token`) fails the test."""

    def literal(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert re.fullmatch(r"'(?:[^']|'')*'", expression), f"expression {expression!r} would be evaluated"
        return expression[1:-1].replace("''", "'")

    return re.sub(r"\$\{\{(.*?)\}\}", literal, value)


@SETTINGS
@given(TEXT)
def test_github_values_read_back_as_written(value: str) -> None:
    text = emit.yaml_document({"env": {"V": emit.github_value(value)}}, [value])
    loaded = yaml.safe_load(text)
    assert list(loaded) == ["env"]
    assert github_evaluate(loaded["env"]["V"]) == value


def test_github_static_fields_refuse_expressions() -> None:
    with pytest.raises(UsageError, match="cannot hold"):
        emit.github_static("a ${{ github.token }}", "the name")


def test_actionlint_accepts_a_workflow_full_of_nasty_values(tmp_path: Path) -> None:
    env = {f"V{i}": emit.github_value(v) for i, v in enumerate(NASTY)}
    workflow = {
        "name": emit.github_static("$(id) # x\n'y"),
        "on": {"push": None},
        "jobs": {"j": {"runs-on": "ubuntu-latest", "env": env, "steps": [{"run": 'printf "%s" "$V0"\n'}]}},
    }
    path = tmp_path / "w.yml"
    path.write_text(emit.yaml_document(workflow, NASTY))
    lint = subprocess.run([tool("actionlint"), str(path)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    loaded = yaml.safe_load(path.read_text())["jobs"]["j"]["env"]
    assert [github_evaluate(loaded[f"V{i}"]) for i in range(len(NASTY))] == NASTY


# ---- JUnit XML ----------------------------------------------------------------------------------------------------


@SETTINGS
@given(title=TEXT, evidence=st.text(max_size=60) | TEXT, status=st.sampled_from(["fail", "warn", "skip", "ok"]))
def test_junit_is_xml_whatever_the_findings_hold(title: str, evidence: str, status: str) -> None:
    """Before: a finding holding tool output with a control character (an ANSI colour, a NUL) made a JUnit file
    no XML parser reads, so CI lost the whole report."""
    import xml.etree.ElementTree as ET

    from llmenv.report.ci import CiReport, junit_xml
    from llmenv.verify.model import Finding, Status

    finding = Finding("x.y", "area", Status(status), title, evidence, fix="run `a; b` & see <log>")
    text = junit_xml(CiReport("doctor", "t", [finding], 1, 0.1))
    root = ET.fromstring(text.encode("utf-8"))
    (case,) = root.iter("testcase")
    shown = "".join(case.itertext()) + "".join(e.get("message", "") for e in case)
    assert emit.xml_text(title) in shown or status == "ok"
    if status != "skip":
        assert emit.xml_text(evidence) in shown


# ---- llmenv export, end to end -----------------------------------------------------------------------------------

PROFILE = "name: my-torch\nextends: torch\npython: '>=3.10'\n"
# End to end through the CLI: one of each kind (the renderers get every string below).
SPECS = ["$(touch /tmp/pwned)", "a\nRUN touch /tmp/pwned", "a\nkey: injected", "value # comment", "${{ github.token }}"]
SPECS += ["'; touch /tmp/pwned; '", "a\\", "--help", "&anchor", "null", "\x1b[31mred", "line\u2028separator"]


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real plan per accelerator, made once, for the renderers (the CUDA one carries the probe's driver)."""
    from llmenv.export import dockerfile

    captured: dict[str, Any] = {}
    real = dockerfile.render
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LLMENV_CUDA_DRIVER", "580.65.06")
        patch.chdir(tmp_path_factory.mktemp("plans"))  # no project profiles/ shadowing the built-in
        patch.setattr(dockerfile, "render", lambda plan, *a, **k: captured.setdefault(plan.accelerator.value, plan))
        from llmenv.workflow.artifacts import export

        for accelerator in ("cpu", "cuda"):
            export("torch", "dockerfile", accelerator, None, None, "llmenv")
    assert dockerfile.render is real
    return captured


@SETTINGS
@given(spec=TEXT, profile=TEXT, accelerator=st.sampled_from(["cpu", "cuda"]))
def test_renderers_carry_any_value_as_data(plans: dict[str, Any], spec: str, profile: str, accelerator: str) -> None:
    """Every value the renderers take, through their own output, read back as Docker and GitHub read it."""
    from llmenv.export import dockerfile, workflow

    plan = plans[accelerator]
    try:
        text = dockerfile.render(plan, profile, (), spec, "580.65.06\n$(id)", "9.0`id`")
    except UsageError:
        assert "\x00" in spec or "\x00" in profile
    else:
        runs = [exec_args(r) for w, r in docker_instructions(text) if w == "RUN" and r.startswith("[")]
        assert [a[-1] for a in runs if a[:2] == ["/opt/llmenv/bin/pip", "install"]] == [spec]
        assert all(profile in a for a in runs if "setup" in a or "doctor" in a)
        assert {w for w, _ in docker_instructions(text)} <= INSTRUCTIONS
    loaded = yaml.safe_load(workflow.render(plan, profile, profile, spec))
    env = loaded["jobs"]["environment"]["env"]
    assert (github_evaluate(env["PROFILE"]), github_evaluate(env["LLMENV_SPEC"])) == (profile, spec)


def check_dockerfile(text: str, spec: str | None, context: Path) -> None:
    instructions = docker_instructions(text)
    assert {word for word, _ in instructions} <= INSTRUCTIONS, instructions
    runs = [exec_args(rest) for word, rest in instructions if word == "RUN" and rest.startswith("[")]
    installs = [args[-1] for args in runs if args[:2] == ["/opt/llmenv/bin/pip", "install"]]
    if spec is not None:
        assert installs == [spec]
    for word, rest in instructions:
        if word == "COPY":
            source, _ = (docker_word(w) for w in exec_args(rest))
            assert (context / source).is_file(), source


@pytest.mark.parametrize("spec", SPECS, ids=[ascii(s)[:30] for s in SPECS])
def test_export_carries_a_nasty_llmenv_spec_as_data(cli: Callable[..., CliResult], isolation: Path, spec: str) -> None:
    docker = cli("export", "torch", "--format", "dockerfile", "--llmenv-spec", spec, "-o", "Dockerfile")
    assert docker.code == 0, docker.err
    check_dockerfile((isolation / "Dockerfile").read_text(), spec, isolation)
    out = isolation / ".github" / "workflows" / "llmenv.yml"
    workflow = cli("export", "torch", "--format", "github-actions", "--llmenv-spec", spec, "-o", str(out))
    assert workflow.code == 0, workflow.err
    loaded = yaml.safe_load(out.read_text())
    assert github_evaluate(loaded["jobs"]["environment"]["env"]["LLMENV_SPEC"]) == spec
    lint = subprocess.run([tool("actionlint"), str(out)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    assert not Path("/tmp/pwned").exists()


FILE_NAMES = ["$(id).yaml", "a\nRUN id.yaml", "x # y.yaml", "${{ github.token }}.yaml", "a'b\"c.yaml", "a b.yaml"]
FILE_NAMES += ["a*b.yaml", "\\.yaml", "ünïcödé ✓.yaml", "$HOME.yaml", "&anchor.yaml", "\x1b[31mred.yaml"]


@pytest.mark.parametrize("name", FILE_NAMES, ids=[ascii(s)[:30] for s in FILE_NAMES])
def test_export_names_a_nasty_profile_file_as_data_or_refuses(
    cli: Callable[..., CliResult], isolation: Path, name: str
) -> None:
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / name).write_text(PROFILE)
    ref = f"profiles/{name}"
    docker = cli("export", ref, "--format", "dockerfile", "-o", "Dockerfile")
    if docker.code == 2:
        assert "cannot be written into a Dockerfile" in docker.err and "Fix:" in docker.err, docker.err
        assert re.search(COPY_SPECIAL, name), docker.err
        assert "Traceback" not in docker.err and len(docker.err.strip().splitlines()) <= 12
        assert not (isolation / "Dockerfile").exists()
    else:
        assert docker.code == 0, docker.err
        text = (isolation / "Dockerfile").read_text()
        check_dockerfile(text, None, isolation)
        lint = subprocess.run([tool("hadolint"), "-"], input=text, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout
    out = isolation / ".github" / "workflows" / "llmenv.yml"
    workflow = cli("export", ref, "--format", "github-actions", "-o", str(out))
    assert workflow.code == 0, workflow.err
    loaded = yaml.safe_load(out.read_text())
    profile = github_evaluate(loaded["jobs"]["environment"]["env"]["PROFILE"])
    assert (isolation / profile).read_text() == PROFILE
