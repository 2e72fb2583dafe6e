"""The sink (issue 18, item 4): a mirror password given the ways users give one never leaves llmenv in clear,
whatever the command and the output (terminal text, --json, --junit, -o files, logs, the GitHub step summary), and
never sits in the arguments of llmenv or its children.

Before the sink, `setup --dry-run` printed every mirror role's password in clear (only --json masked them), and
`llmenv bundle --mirror http://user:pass@host/simple` kept the password in llmenv's own argv for the whole run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.mirror_server import dead_port
from tests.hostile.conftest import assert_clean, llmenv

PASSWORD = "Zq9sinkPw"


def mirrors_yaml(folder: Path, password: str = PASSWORD) -> dict[str, str]:
    """A user set whose every role carries the password (on a dead port: nothing answers)."""
    port = dead_port()
    folder.mkdir(parents=True, exist_ok=True)
    base = f"https://u:{password}@127.0.0.1:{port}"
    (folder / "mirrors.yaml").write_text(
        "campus:\n"
        f'  pypi: "{base}/pypi/simple"\n'
        f'  pytorch: "{base}/whl/{{variant}}"\n'
        f'  huggingface: "{base}/hf"\n'
        f'  python: "{base}/pbs"\n'
    )
    (folder / "mirrors.yaml").chmod(0o600)
    return {"LLMENV_CONFIG_DIR": str(folder), "PIP_CONFIG_FILE": "/dev/null", "NO_COLOR": "1"}


def everything_written(*folders: Path) -> str:
    out = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and path.stat().st_size < 5_000_000:
                out.append(path.read_text("utf-8", "replace"))
    return "\n".join(out)


OUTPUTS = [
    ("setup", "torch", "--mirror", "campus", "--dry-run"),
    ("setup", "torch", "--mirror", "campus", "--dry-run", "--json"),
    ("setup", "torch", "--mirror", "campus", "--dry-run", "--plain"),
    ("doctor", "--profile", "torch", "--mirror", "campus", "--offline", "--junit", "out/doctor.xml"),
    ("doctor", "--profile", "torch", "--mirror", "campus", "--offline", "--json"),
    ("profiles", "show", "torch"),
]


@pytest.mark.parametrize("args", OUTPUTS, ids=[" ".join(a[:2] + a[-1:]) for a in OUTPUTS])
def test_no_output_shows_a_mirror_password(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = mirrors_yaml(tmp_path / "config")
    logs = tmp_path / "logs"
    summary = tmp_path / "summary.md"
    summary.write_text("")
    env |= {"LLMENV_LOG_DIR": str(logs), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    if "--plain" in args:
        args = tuple(a for a in args if a != "--plain")
        env |= {"CI": "1"}
    result = llmenv(*args, env=env, cwd=tmp_path, unset=("LLMENV_MIRROR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"))
    assert result.code in (0, 1), result.text
    assert "Traceback" not in result.text
    written = everything_written(tmp_path / "out", logs) + summary.read_text()
    if "--junit" in args:
        assert "<testsuites" in written
    for where, text in (("stdout", result.out), ("stderr", result.err), ("files", written)):
        assert PASSWORD not in text, f"{where}: {text[:3000]}"


def test_setup_dry_run_still_shows_where_the_mirror_is(tmp_path: Path) -> None:
    env = mirrors_yaml(tmp_path / "config")
    result = llmenv(
        "setup", "torch", "--mirror", "campus", "--dry-run", env=env, cwd=tmp_path, unset=("LLMENV_MIRROR",)
    )
    assert result.code == 0, result.text
    assert "u:****@127.0.0.1" in result.text and PASSWORD not in result.text


SECRET_ARGS = [
    ("bundle", "torch", "-o", "b.tar", "--mirror", f"http://user:{PASSWORD}@127.0.0.1:9/simple"),
    ("setup", "torch", f"--mirror=https://user:{PASSWORD}@127.0.0.1:9/simple", "--dry-run"),
    ("export", "torch", "-f", "dockerfile", "-o", "D", "--llmenv-spec", f"git+https://x:{PASSWORD}@h.example/l.git"),
    ("doctor", "--profile", "torch", "--mirror", "hf_abcdefghijklmnopqrstuvwxyz0123"),
]


@pytest.mark.parametrize("args", SECRET_ARGS, ids=[a[0] for a in SECRET_ARGS])
def test_a_credential_on_the_command_line_stops_llmenv_at_once(tmp_path: Path, args: tuple[str, ...]) -> None:
    """The value was visible in llmenv's argv from the start; llmenv cannot take that back, so it stops within
    milliseconds instead of running for minutes, and says how to pass it instead. It never echoes the value."""
    result = llmenv(*args, env={"PIP_CONFIG_FILE": "/dev/null"}, cwd=tmp_path, unset=("LLMENV_MIRROR",))
    assert_clean(result, 2, seconds=10, mentions=())
    assert "credential" in result.err and "/proc" in result.err
    assert PASSWORD not in result.text and "abcdefghijklmnop" not in result.text
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def descendants(pid: int) -> set[int]:
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def test_bundle_with_the_mirror_in_the_environment_keeps_it_out_of_every_argv(tmp_path: Path) -> None:
    """A set of the user's in mirrors.yaml (the way the refusal above suggests): llmenv and every child it starts,
    sampled from /proc every few milliseconds while the bundle downloads, never has the password in its
    arguments."""
    from tests.helpers.index_server import IndexServer, serve
    from tests.helpers.wheels import make_wheel

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "tinydep", "1.0")
    (tmp_path / "p.yaml").write_text(
        "name: tiny\npython: '>=3.10'\npackages: ['tinydep==1.0']\nchecks: {imports: []}\n"
    )
    with serve(IndexServer(wheels, auth=("user", PASSWORD))) as server:
        config = tmp_path / "config"
        config.mkdir()
        (config / "mirrors.yaml").write_text(f'campus:\n  pypi: "{server.url_with_auth()}"\n')
        (config / "mirrors.yaml").chmod(0o600)
        env = {**os.environ, "LLMENV_CONFIG_DIR": str(config), "PIP_CONFIG_FILE": "/dev/null", "UV_NO_CONFIG": "1"}
        env["PIP_INDEX_URL"] = server.url_with_auth()  # the lock is resolved from the user's index (uv, then pip)
        for name in ("PIP_FIND_LINKS", "LLMENV_MIRROR"):
            env.pop(name, None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmenv", "bundle", "p.yaml", "-o", "b.tar", "--quiet", "--mirror", "campus"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        seen: dict[int, str] = {}
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            for pid in {proc.pid} | descendants(proc.pid):
                seen.setdefault(pid, cmdline(pid)) if pid not in seen or not seen[pid] else None
            time.sleep(0.003)
        out, err = proc.communicate(timeout=30)
    text = (out + err).decode("utf-8", "replace")
    assert server.requests, text  # the mirror was used
    assert len(seen) >= 2, (seen, text)  # llmenv and at least one child (pip download) were sampled
    for pid, line in seen.items():
        assert PASSWORD not in line, (pid, line)
    assert PASSWORD not in text, text
    assert any("uv" in line or "pip" in line for line in seen.values()), seen  # the installers were sampled
