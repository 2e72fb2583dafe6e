"""Hostile input at the door (issue 18, items 1 and 7): every file, stream and environment value from outside.

mirrors.yaml, profiles, locks, `report merge` inputs, `--junit` / `-o` outputs, `LLMENV_*` values, argv bytes,
closed standard streams and PYTHONHOME. Each case: the documented exit code, one paragraph with a fix, no
traceback, a bounded time, and no line of a file that is not llmenv's own in the output. Cases that could block
(FIFOs, devices) run as real processes with a hard time limit; the others in-process through the real entry point.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CliResult
from tests.hostile.bundles import host_platform, make_bundle
from tests.hostile.conftest import assert_clean, llmenv, needs_mount

SECRET = "hunter2-SECRET-VALUE"
SHADOW = f"root:$6${SECRET}$abc:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
PROFILE = "name: p\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n"


def in_process(result: CliResult, code: int, words: tuple[str, ...] = ()) -> None:
    shown = f"exit {result.code}\n--- stdout\n{result.out}\n--- stderr\n{result.err}"
    assert result.code == code, shown
    text = result.out + result.err
    assert "Traceback" not in text and "internal error" not in text, shown
    assert SECRET not in text, shown
    if code not in (0, 1):
        assert "error:" in result.err and "Fix:" in result.err, shown
        assert len(result.err[result.err.find("error:") :].strip().splitlines()) <= 12, shown
    for word in words:
        assert word in text, f"expected {word!r}\n{shown}"


def special(path: Path, kind: str, tmp_path: Path) -> None:
    """Put a FIFO, a link to a device, a folder, a link to a secret file, ... at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = tmp_path / "secret-file"
    secret.write_text(SHADOW)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-urandom":
        path.symlink_to("/dev/urandom")
    elif kind == "folder":
        path.mkdir()
    elif kind == "link-to-secret":
        path.symlink_to(secret)
    elif kind == "dangling-link":
        path.symlink_to(tmp_path / "nowhere")
    elif kind == "huge":
        with path.open("wb") as handle:
            handle.truncate(50 * 2**20)  # sparse: 50 MB that cost no disk
    else:
        raise AssertionError(kind)


# --- mirrors.yaml -------------------------------------------------------------------------------------------------
def mirrors_run(tmp_path: Path, env: dict[str, str] | None = None) -> Any:
    (tmp_path / "p.yaml").write_text(PROFILE)
    return llmenv(
        "setup", "p.yaml", "--dry-run", "--offline", "--mirror", "campus", cwd=tmp_path,
        env={"LLMENV_CONFIG_DIR": str(tmp_path / "cfg"), **(env or {})}, timeout=30,
    )  # fmt: skip


@pytest.mark.parametrize(
    "kind", ["fifo", "dev-zero", "dev-urandom", "folder", "link-to-secret", "dangling-link", "huge"]
)
def test_mirrors_yaml_that_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    """mirrors.yaml that is a FIFO, device, folder, link to a secret file, dangling link or 50 MB: exit 2 at once.

    Failed before: a FIFO hung, /dev/zero took GBs, a 50 MB file took 44 s, and a link to /etc/shadow had its
    first line quoted in the error."""
    special(tmp_path / "cfg" / "mirrors.yaml", kind, tmp_path)
    result = mirrors_run(tmp_path)
    assert_clean(result, 2, seconds=20)
    assert SECRET not in result.text and "root:" not in result.text, result.text


MIRRORS: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("shadow-lines", SHADOW.encode(), ()),
    ("credentials-yaml", f"password: {SECRET}\ntoken: {SECRET}\n".encode(), ()),
    ("secret-as-key", f"'{SECRET} {SECRET}': {{pypi: 'https://x/simple'}}\n".encode(), ()),
    ("secret-as-set", f"campus: {{pypi: 'ftp://user:{SECRET}@host/simple'}}\n".encode(), ("ftp",)),
    ("secret-unknown-key", f"campus: {{'{SECRET}.x': 'https://x/simple'}}\n".encode(), ()),
    ("secret-format", f"campus: {{pypi: 'https://x/simple', pytorch_format: '{SECRET}'}}\n".encode(), ()),
    ("homoglyph-host", "campus: {pypi: 'https://pypі.org/simple'}\n".encode(), ("U+0456",)),
    ("fullwidth-host", "campus: {pypi: 'https://ｐypi.org/simple'}\n".encode(), ("U+FF50",)),
    ("not-utf8", b"campus: {pypi: 'https://x/\xff'}\n", ("UTF-8",)),
    ("nul-byte", b"campus: {pypi: 'https://x/\x00'}\n", ("NUL",)),
    ("deep-nesting", b"campus: " + b"[" * 5000 + b"]" * 5000 + b"\n", ("nested",)),
    ("top-level-list", b"- campus\n", ("mapping",)),
    ("alias-bomb", b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(b"%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n" % ((98 + i,) * 2 + (97 + i,) * 9) for i in range(8)), ()),
    ("python-tag", b"campus: !!python/object/apply:os.system ['true']\n", ("tag",)),
]  # fmt: skip


@pytest.mark.parametrize(("data", "words"), [c[1:] for c in MIRRORS], ids=[c[0] for c in MIRRORS])
def test_mirrors_yaml_content_is_never_echoed(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes, words: tuple[str, ...]
) -> None:
    """mirrors.yaml content that is not a mirrors file, or holds secrets or look-alike hosts: exit 2, nothing quoted.

    Failed before: the first line of a file that is not a mirrors file was quoted ("'root:*:...' cannot name a
    mirror set"); a homoglyph host failed later with "ordinal not in range(256)"."""
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "mirrors.yaml").write_bytes(data)
    (tmp_path / "p.yaml").write_text(PROFILE)
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(tmp_path / "cfg"))
    result = cli("setup", str(tmp_path / "p.yaml"), "--dry-run", "--offline", "--mirror", "campus")
    in_process(result, 2, words)
    assert "root:" not in result.err and "ordinal" not in result.err, result.err


# --- profiles ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "link-to-secret", "huge"])
@pytest.mark.parametrize("where", ["path", "user-dir"])
def test_a_profile_that_is_not_a_small_regular_file(tmp_path: Path, kind: str, where: str) -> None:
    """A profile given by path, or found by name in the user's profiles folder, that is a FIFO, a device, a folder
    or a link to a secret file: refused at once, and no line of it is printed."""
    path = tmp_path / ("x.yaml" if where == "path" else "cfg/profiles/x.yaml")
    special(path, kind, tmp_path)
    ref = str(path) if where == "path" else "x"
    result = llmenv("profiles", "validate", ref, cwd=tmp_path, env={"LLMENV_CONFIG_DIR": str(tmp_path / "cfg")})
    if kind == "folder" and where == "user-dir":
        assert_clean(result, 2, seconds=20)  # not a profile file, so the name is unknown
    else:
        assert_clean(result, 2, seconds=20)
    assert SECRET not in result.text, result.text


# --- locks -------------------------------------------------------------------------------------------------------------
def lock_path(tmp_path: Path) -> Path:
    minor = f"{sys.version_info.major}{sys.version_info.minor}"
    return tmp_path / f"p.cpu.py{minor}.{host_platform()}.lock.txt"


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "link-to-secret", "huge"])
def test_a_lock_that_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    """A lock that is a FIFO, device, folder, link or 50 MB where setup looks for it: exit 2 at once.

    Failed before: a FIFO there hung the plan."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    special(lock_path(tmp_path), kind, tmp_path)
    result = llmenv("setup", "p.yaml", "--dry-run", "--offline", cwd=tmp_path, timeout=30)
    if kind == "link-to-secret":
        assert result.code in (0, 2) and "Traceback" not in result.text, result.text
    else:
        assert_clean(result, 2, seconds=20, mentions=("lock",))
    assert SECRET not in result.text, result.text


@pytest.mark.parametrize(
    "data", [b"# profile content hash x\n\xff\xfe\n", "# lock\n".encode("utf-16"), b"\x00" * 100 + b"\xc3"]
)
def test_a_lock_that_is_not_utf8_names_the_lock(cli: Callable[..., CliResult], tmp_path: Path, data: bytes) -> None:
    """A lock that is not UTF-8 is exit 2 naming the lock file.

    Failed before: exit 70 (UnicodeDecodeError)."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    lock_path(tmp_path).write_bytes(data)
    in_process(cli("setup", str(tmp_path / "p.yaml"), "--dry-run", "--offline"), 2, (lock_path(tmp_path).name,))


# --- report merge --------------------------------------------------------------------------------------------------
def doctor_report(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "schema": "llmenv.doctor/1",
        "verdict": "ok",
        "llmenv_version": "0.1.0",
        "findings": [{"id": "host.python", "status": "ok"}],
        "facts": {"system": {"value": {"os": "Linux", "machine": "x86_64"}}},
    }
    report.update(changes)
    return report


GOOD = json.dumps(doctor_report()).encode()
REPORTS: list[tuple[str, bytes]] = [
    ("nan", GOOD.replace(b'"ok"}]', b'"ok", "x": NaN}]')),
    ("infinity", GOOD.replace(b'"ok"}]', b'"ok", "x": Infinity}]')),
    ("minus-infinity", GOOD.replace(b'"ok"}]', b'"ok", "x": -Infinity}]')),
    ("float-1e400", GOOD.replace(b'"ok"}]', b'"ok", "x": 1e400}]')),
    ("huge-int", GOOD.replace(b'"ok"}]', b'"ok", "x": ' + b"9" * 5000 + b"}]")),
    ("deep-100k", GOOD.replace(b'"ok"}]', b'"ok", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]")),
    ("deep-200-in-facts", json.dumps(doctor_report(facts={"system": {"value": {"a": 1}}})).encode().replace(b'{"a": 1}', b'{"a": ' + b"[" * 200 + b"]" * 200 + b"}")),
    ("findings-a-string", json.dumps(doctor_report(findings="ok")).encode()),
    ("finding-a-string", json.dumps(doctor_report(findings=["host.python"])).encode()),
    ("finding-without-id", json.dumps(doctor_report(findings=[{"status": "ok"}])).encode()),
    ("finding-id-a-list", json.dumps(doctor_report(findings=[{"id": ["a"], "status": "ok"}])).encode()),
    ("facts-a-list", json.dumps(doctor_report(facts=[1, 2])).encode()),
    ("fact-a-string", json.dumps(doctor_report(facts={"system": "linux"})).encode()),
    ("duplicate-keys", GOOD.replace(b'"verdict": "ok"', b'"verdict": "ok", "verdict": "fail"')),
    ("not-utf8", GOOD.replace(b'"ok"', b'"\xff"', 1)),
    ("utf16", GOOD.decode().encode("utf-16")),
    ("empty", b""),
    ("schema-a-dict", json.dumps(doctor_report(schema={"x": SECRET})).encode()),
    ("schema-secret-string", json.dumps(doctor_report(schema=SECRET)).encode()),
    ("a-list", b"[]"),
    ("shadow-lines", SHADOW.encode()),
]  # fmt: skip


@pytest.mark.parametrize("data", [c[1] for c in REPORTS], ids=[c[0] for c in REPORTS])
def test_a_bad_report_merge_input_is_exit_2(cli: Callable[..., CliResult], tmp_path: Path, data: bytes) -> None:
    """`report merge` inputs with NaN, Infinity, deep nesting, wrong types, duplicate keys or bad encodings: exit 2.

    Failed before: wrong types or deep nesting were exit 70; NaN passed through and `--json` printed bare NaN."""
    (tmp_path / "a.json").write_bytes(GOOD)
    (tmp_path / "b.json").write_bytes(data)
    for extra in ((), ("--json",)):
        result = cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), *extra)
        in_process(result, 2, ("b.json",))
        if extra:
            json.loads(result.out, parse_constant=lambda name: pytest.fail(f"bare {name} in --json output"))


def test_report_merge_json_is_strict_json(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """With good inputs the `--json` document parses with a strict parser (no NaN, no Infinity)."""
    (tmp_path / "a.json").write_bytes(GOOD)
    (tmp_path / "b.json").write_bytes(json.dumps(doctor_report(verdict="fail")).encode())
    result = cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json")
    assert result.code == 1, result.err
    json.loads(result.out, parse_constant=lambda name: pytest.fail(f"bare {name}"))


def test_a_bom_report_is_read(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """A report saved by an editor with a UTF-8 byte-order mark is still a report."""
    (tmp_path / "a.json").write_bytes(GOOD)
    (tmp_path / "b.json").write_bytes(b"\xef\xbb\xbf" + GOOD)
    assert cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json")).code == 0


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "dev-urandom", "folder", "link-to-secret", "huge"])
def test_a_report_merge_input_that_is_not_a_small_regular_file(tmp_path: Path, kind: str) -> None:
    """A `report merge` input that is a FIFO, device, folder, link to a secret or 50 MB: exit 2 at once.

    Failed before: a FIFO or /dev/zero hung or took GBs."""
    (tmp_path / "a.json").write_bytes(GOOD)
    special(tmp_path / "b.json", kind, tmp_path)
    result = llmenv("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), timeout=30)
    assert_clean(result, 2, seconds=20, mentions=("b.json",))
    assert "root:" not in result.text


# --- output files at a FIFO or device -----------------------------------------------------------------------------
OUTPUTS: list[tuple[str, list[str]]] = [
    ("doctor-junit", ["doctor", "--offline", "--junit", "{out}"]),
    ("export-output", ["export", "{profile}", "--format", "dockerfile", "-o", "{out}"]),
    ("schema-output", ["profiles", "schema", "-o", "{out}"]),
]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("argv", [c[1] for c in OUTPUTS], ids=[c[0] for c in OUTPUTS])
def test_an_output_at_a_fifo_or_device_is_refused_not_blocked(tmp_path: Path, argv: list[str], kind: str) -> None:
    """`--junit`, `export -o` or `profiles schema -o` at a FIFO or device is refused, not blocked on.

    Failed before: the write blocked until a reader came."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    out = tmp_path / "out"
    special(out, kind, tmp_path)
    args = [a.format(out=out, profile=tmp_path / "p.yaml") for a in argv]
    result = llmenv(*args, cwd=tmp_path, timeout=60)
    assert_clean(result, 2, seconds=45, mentions=("not a regular file",))


def test_dev_null_is_still_a_usable_output(tmp_path: Path) -> None:
    result = llmenv("profiles", "schema", "-o", os.devnull, cwd=tmp_path)
    assert result.code == 0, result.err


# --- environment values and argv bytes -------------------------------------------------------------------------------
ENV_VALUES = {"not-utf8": "a\udcffb", "newline": "/tmp/a\nb", "five-thousand-chars": "/tmp/" + "a" * 5000}


@pytest.mark.parametrize("value", list(ENV_VALUES.values()), ids=list(ENV_VALUES))
@pytest.mark.parametrize("name", ["LLMENV_CONFIG_DIR", "LLMENV_DATA_DIR", "LLMENV_CACHE_DIR"])
def test_a_bad_llmenv_path_variable_is_named(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """An LLMENV_* path variable that is not UTF-8, holds a line break or is 5,000 characters: exit 2 naming it."""
    saved = dict(os.environ)
    (tmp_path / "p.yaml").write_text(PROFILE)
    monkeypatch.setenv(name, value)
    try:
        if name == "LLMENV_CACHE_DIR":
            result = cli("setup", "--bundle", str(make_bundle(tmp_path / "b.tar")), "--dry-run", "--offline")
        elif name == "LLMENV_CONFIG_DIR":
            result = cli("profiles", "list")
        else:
            result = cli("setup", str(tmp_path / "p.yaml"), "--dry-run", "--offline")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    in_process(result, 2, (name,))


ARGV: list[tuple[str, list[str]]] = [
    ("env", ["setup", "{profile}", "--dry-run", "--offline", "--env", "{bad}"]),
    ("env-equals", ["setup", "{profile}", "--dry-run", "--offline", "--env={bad}"]),
    ("junit", ["doctor", "--offline", "--junit", "{bad}"]),
    ("export-output", ["export", "{profile}", "--format", "dockerfile", "-o", "{bad}"]),
    ("profile-path", ["profiles", "validate", "{bad}.yaml"]),
    ("smoke-data", ["smoke", "--env", "{tmp}/e", "--offline", "--data", "{bad}"]),
]


@pytest.mark.parametrize("argv", [c[1] for c in ARGV], ids=[c[0] for c in ARGV])
def test_argv_bytes_that_are_not_utf8_are_refused_naming_the_option(tmp_path: Path, argv: list[str]) -> None:
    """A command-line value whose bytes are not UTF-8 is exit 2 naming its option.

    Failed before: `setup --env $'/tmp/e\\xff'` created the env, then died writing its stamp (exit 70)."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    bad = os.fsdecode(os.fsencode(str(tmp_path)) + b"/e\xff")
    args = [a.format(profile=tmp_path / "p.yaml", bad=bad, tmp=tmp_path) for a in argv]
    result = llmenv(*args, cwd=tmp_path, timeout=60)
    assert_clean(result, 2, seconds=45, mentions=("UTF-8",))
    assert not Path(bad).exists()


# --- standard streams and PYTHONHOME --------------------------------------------------------------------------------
def run_closed(fds: tuple[int, ...], *args: str) -> subprocess.CompletedProcess[bytes]:
    def close() -> None:
        for fd in fds:
            os.close(fd)

    keep = [fd for fd in (1, 2) if fd not in fds]
    pipes = {"stdout": subprocess.PIPE if 1 in keep else None, "stderr": subprocess.PIPE if 2 in keep else None}
    return subprocess.run(
        [sys.executable, "-m", "llmenv", *args],
        preexec_fn=close,
        timeout=60,
        **pipes,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize(("fds", "name"), [((1,), "stdout"), ((2,), "stderr"), ((1, 2), "stdout and stderr")])
def test_a_closed_output_stream_is_exit_2_with_a_message(fds: tuple[int, ...], name: str) -> None:
    """A closed stdout or stderr is exit 2 with a message on the other stream.

    Failed before: `llmenv probe >&-` ended in an AttributeError traceback (exit 1)."""
    proc = run_closed(fds, "probe", "--offline")
    text = (proc.stdout or b"") + (proc.stderr or b"")
    assert proc.returncode == 2, text
    assert b"Traceback" not in text
    if fds != (1, 2):
        assert name.encode() in text and b"Fix:" in text, text


@pytest.mark.parametrize("command", [("probe", "--offline"), ("profiles", "list")])
def test_a_closed_stdin_is_no_problem(command: tuple[str, ...]) -> None:
    proc = run_closed((0,), *command)
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr


def test_pythonhome_that_breaks_imports_is_exit_3_naming_it(tmp_path: Path) -> None:
    """Failed before: a traceback from deep inside an import. A PYTHONHOME holding only the pure-Python standard
    library (no compiled modules) is what a PYTHONHOME for another Python build looks like."""
    import sysconfig

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    home = tmp_path / "home"
    (home / "lib").mkdir(parents=True)
    (home / "lib" / stdlib.name).mkdir()
    for entry in stdlib.iterdir():
        if entry.name not in ("lib-dynload", "site-packages", "dist-packages"):
            (home / "lib" / stdlib.name / entry.name).symlink_to(entry)
    result = llmenv("probe", "--offline", env={"PYTHONHOME": str(home)})
    assert "Traceback" not in result.text, result.text
    if result.code != 0:  # compiled modules built in, the import may succeed: then llmenv just works
        assert result.code == 3 and "PYTHONHOME" in result.err and "Fix:" in result.err, result.text


# --- hosts with look-alike characters -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["https://pypі.org/simple", "https://ｐypi.org/simple", "https://pyp\u200bi.org/simple"]
)
def test_a_homoglyph_index_host_is_named_not_an_encoding_error(tmp_path: Path, url: str) -> None:
    """An index host with a look-alike character is named in doctor's finding, not an encoding error.

    Failed before: "'latin-1' codec can't encode character '\\u0456' ... ordinal not in range(256)"."""
    result = llmenv("doctor", env={"PIP_INDEX_URL": url, "PIP_CONFIG_FILE": os.devnull}, timeout=60)
    assert "Traceback" not in result.text and "ordinal not in range" not in result.text, result.text
    assert "not ASCII" in result.text, result.text


def test_bundle_mirror_url_with_a_homoglyph_host_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = llmenv("bundle", "p.yaml", "-o", "b.tar", "--mirror", "https://pypі.org/simple", cwd=tmp_path)
    assert_clean(result, 2, mentions=("U+0456",))


# --- a hand-edited lock -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_a_hand_edited_lock_hash_names_the_lock_file(
    cli: Callable[..., CliResult], index: Any, tmp_path: Path, backend: str
) -> None:
    """A hand-edited hash in a real lock: the install fails (exit 4) naming the lock file.

    Failed before: it said "check the pins" without naming the lock. A real lock from the local index, one hash
    changed by hand, a real install (about 3 s per backend)."""
    import re

    spec = tmp_path / "tiny.yaml"
    spec.write_text("name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n")
    made = cli("lock", str(spec), "--accelerator", "cpu")
    assert made.code == 0, made.err
    lock = next(tmp_path.glob("tiny.cpu.*.lock.txt"))
    text = lock.read_text()
    lock.write_text(re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, text, count=1))
    result = cli("setup", str(spec), "--env", str(tmp_path / "env"), "--backend", backend, "--skip-smoke")
    in_process(result, 4, (lock.name,))
    assert "check the pins" not in result.err, result.err


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_step_summary_at_a_fifo_is_skipped_not_blocked(tmp_path: Path, kind: str) -> None:
    """GITHUB_STEP_SUMMARY naming a FIFO or device: the summary is skipped with a warning, the command ends.

    Failed before: `doctor` waited forever for a reader."""
    summary = tmp_path / "summary"
    special(summary, kind, tmp_path)
    result = llmenv(
        "doctor", "--offline", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}, timeout=40
    )
    assert result.code in (0, 1), result.text
    assert "Traceback" not in result.text and "step summary is skipped" in result.err, result.err
    assert result.seconds < 30


@pytest.mark.parametrize(
    ("env", "args", "where"),
    [
        ({}, ["--mirror", "https://pypі.org/simple"], "--mirror"),
        ({"LLMENV_MIRROR": "https://pypі.org/simple"}, [], "LLMENV_MIRROR"),
        ({"LLMENV_MIRROR": "a\udcffb"}, [], "LLMENV_MIRROR"),
        ({"LLMENV_MIRROR": "tuna\nchina"}, [], "LLMENV_MIRROR"),
    ],
    ids=["flag-homoglyph-url", "env-homoglyph-url", "env-not-utf8", "env-newline"],
)
def test_a_bad_mirror_request_is_named(
    cli: Callable[..., CliResult],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    args: list[str],
    where: str,
) -> None:
    """A mirror asked for by flag or LLMENV_MIRROR: a look-alike host or bytes that are not text, named where given."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli("setup", str(tmp_path / "p.yaml"), "--dry-run", "--offline", *args)
    in_process(result, 2, (where,))
    assert "ordinal" not in result.err


# --- a full disk is exit 3 everywhere ---------------------------------------------------------------------------------
@needs_mount
@pytest.mark.parametrize("command", ["schema", "export", "junit"])
def test_an_output_on_a_full_disk_is_exit_3(tmp_path: Path, tmpfs: Any, command: str) -> None:
    """A full disk while writing `-o` or `--junit` is exit 3 saying the disk is full.

    Failed before: exit 2 (a usage error); the README says 3."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    full = tmpfs.small("full", "64k")
    with contextlib.suppress(OSError), (full / "filler").open("wb") as handle:
        handle.write(b"x" * 200_000)  # more than fits: the disk is full
    target = str(full / "out")
    args = {
        "schema": ["profiles", "schema", "-o", target],
        "export": ["export", str(tmp_path / "p.yaml"), "--format", "dockerfile", "-o", target],
        "junit": ["doctor", "--offline", "--junit", target],
    }[command]
    result = llmenv(*args, cwd=tmp_path)
    assert_clean(result, 3, mentions=("disk is full",))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_slurm_export_with_a_bundle_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    """`export --format slurm --bundle` at a FIFO, device or folder: exit 2 at once (the bundle is peeked at for its
    profile; that used to open the FIFO and wait)."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    special(tmp_path / "b.tar", kind, tmp_path)
    args = ["export", "p.yaml", "--format", "slurm", "--bundle", str(tmp_path / "b.tar"), "-o", "job.sh"]
    result = llmenv(*args, cwd=tmp_path, timeout=40)
    assert_clean(result, 2, seconds=30, mentions=("bundle",))
    assert not (tmp_path / "job.sh").exists()


@pytest.mark.parametrize("platform", ["x\ny", "x86_64", "sparc-sun-solaris", "x86_64-manylinux_2_28\n", "../../x", "é"])
def test_bundle_platform_that_is_not_a_target_is_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path, platform: str
) -> None:
    """`bundle --platform` that names no target: exit 2 before any work (it was exit 4 after uv refused it)."""
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = cli("bundle", str(tmp_path / "p.yaml"), "-o", str(tmp_path / "b.tar"), "--platform", platform)
    in_process(result, 2, ("--platform",))
    assert not (tmp_path / "b.tar").exists()
