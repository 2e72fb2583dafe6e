"""Hostile input and local attackers: secrets, file reads through `extends`, terminal escapes, crash-log modes.

Every case runs the real CLI and asserts the exit code, a one-paragraph message with a fix, no traceback, a bounded
time and no secret in any output."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmenv.execute.store import STAMP
from llmenv.redact import has_secret, redact_text, redact_url
from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel

pytestmark = pytest.mark.timeout(300)

PASSWORD = "s3cretArgvT0ken"


def all_cmdlines() -> dict[int, str]:
    """Every process's argument list, as any local user can read it."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return found


def assert_clean(result: CliResult, *secrets: str) -> None:
    """The shared contract of a hostile case: no traceback, no secret."""
    text = result.out + result.err
    assert "Traceback" not in text, text
    for secret in secrets:
        assert secret not in text, text


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    return folder


def _pip_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_url: str) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = {index_url}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.slow
@pytest.mark.parametrize("source", ["pip.conf", "PIP_INDEX_URL", "profile index_url"])
@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_index_password_never_in_installer_argv(
    cli: Callable[..., CliResult],
    wheels: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    source: str,
) -> None:
    """A basic-auth index on 127.0.0.1 reads every process's /proc/<pid>/cmdline while the installer talks to it:
    the password must be in none of them, and the install must still work (the installer got it privately)."""
    seen_installer: list[str] = []
    leaked: list[str] = []

    def look() -> None:
        for pid, line in all_cmdlines().items():
            if pid == os.getpid():
                continue  # pytest's own argv
            if " install " in f" {line} ":
                seen_installer.append(line)
            if PASSWORD in line:
                leaked.append(line)

    with serve(IndexServer(wheels, auth=("deploy", PASSWORD), on_request=look)) as server:
        spec = tmp_path / "tiny.yaml"
        body = "name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n"
        if source == "profile index_url":
            _pip_conf(tmp_path, monkeypatch, server.url_with_auth())  # pip.conf too, so the fallback also works
            body += f"accelerators:\n  cpu:\n    index_url: {server.url_with_auth()}\n"
        elif source == "pip.conf":
            _pip_conf(tmp_path, monkeypatch, server.url_with_auth())
        else:
            _pip_conf(tmp_path, monkeypatch, "https://unused.invalid/simple/")
            monkeypatch.setenv("PIP_INDEX_URL", server.url_with_auth())
        spec.write_text(body)
        env = tmp_path / "env"
        start = time.monotonic()
        result = cli("setup", str(spec), "--env", str(env), "--backend", backend, "--skip-smoke")
        assert time.monotonic() - start < 240
    assert result.code == 0, result.out + result.err
    assert seen_installer, "the index was never asked by a running installer"
    assert not leaked, leaked
    assert_clean(result, PASSWORD)
    logs = "".join(p.read_text() for p in Path(os.environ["LLMENV_LOG_DIR"]).glob("*.log"))
    assert PASSWORD not in logs
    assert PASSWORD not in (env / STAMP).read_text()


# --- masking: every userinfo, whatever its characters --------------------------------------------------------------

AWKWARD = ["pa#ss9word", "pa?ss9word", "pa/ss9word", "pa'ss9word", "pa ss9word", "pa@ss9word", "pa%ss9word"]


def _quoted_yaml(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@pytest.mark.parametrize("password", AWKWARD)
@pytest.mark.parametrize("as_json", [False, True])
def test_profiles_show_masks_index_credentials(
    cli: Callable[..., CliResult], tmp_path: Path, password: str, as_json: bool
) -> None:
    spec = tmp_path / "p.yaml"
    url = f"https://deploy:{password}@mirror.example/whl/{{variant}}"
    spec.write_text(
        "name: p\npython: '>=3.10'\npackages: ['torch==2.13.0']\n"
        f"accelerators:\n  cuda:\n    index_url: {_quoted_yaml(url)}\n"
    )
    start = time.monotonic()
    result = cli("profiles", "show", str(spec), *(["--json"] if as_json else []))
    assert time.monotonic() - start < 30
    assert result.code == 0, result.err
    assert "deploy:****@mirror.example" in result.out
    assert_clean(result, password, "9word")


MALFORMED = [
    "http://deploy:s3cr3tPw9@[127.0.0.1/simple/",  # unclosed IPv6 bracket: urlsplit raises
    "http://deploy:s3cr#tPw9@127.0.0.1:9/simple/",
    "http://deploy:s3cr?tPw9@127.0.0.1:9/simple/",
    "http://deploy:s3cr/tPw9@127.0.0.1:9/simple/",
    "http://deploy:s3cr'tPw9@127.0.0.1:9/simple/",
    "http://deploy:s3cr tPw9@127.0.0.1:9/simple/",
    "deploy:s3cr3tPw9@127.0.0.1:9",  # no scheme at all
]


@pytest.mark.parametrize("url", MALFORMED)
@pytest.mark.parametrize("command", ["probe", "doctor", "setup"])
def test_awkward_index_passwords_never_printed(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, command: str
) -> None:
    """PIP_INDEX_URL with a password pip users really write unencoded; 127.0.0.1:9 refuses at once."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_PROXY", url if "://" not in url else "")
    args = {
        "probe": ["probe", "--json"],
        "doctor": ["doctor", "--json"],
        "setup": ["setup", "--env", str(tmp_path / "env"), "--dry-run", "--json"],
    }[command]
    start = time.monotonic()
    result = cli(*args)
    assert time.monotonic() - start < 60
    logs = "".join(p.read_text() for p in Path(os.environ["LLMENV_LOG_DIR"]).glob("*.log"))
    secret = url.split(":", 2)[-1].split("@")[0] if "://" in url else "s3cr3tPw9"
    assert_clean(result, secret, "tPw9")
    assert "tPw9" not in logs


USERS = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)
# Any printable password, unencoded as users write them; one containing `scheme://` itself is out of scope.
PASSWORDS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda p: "://" not in p
)


@settings(max_examples=400, deadline=None)
@given(user=USERS, password=PASSWORDS, port=st.integers(1, 65535))
def test_any_password_is_masked_in_urls_and_text(user: str, password: str, port: int) -> None:
    url = f"https://{user}:{password}@127.0.0.1:{port}/simple/"
    masked = f"https://{user}:****@127.0.0.1:{port}/simple/"
    assert redact_url(url) == masked
    assert redact_text(f"ERROR: cannot reach {url} (timed out)") == f"ERROR: cannot reach {masked} (timed out)"
    assert redact_text(f"Looking in indexes: {url}, https://pypi.org/simple") == (
        f"Looking in indexes: {masked}, https://pypi.org/simple"
    )
    assert has_secret(url)


@settings(max_examples=200, deadline=None)
@given(user=USERS, password=PASSWORDS.filter(lambda p: not any(c.isspace() or c in "@/" for c in p)))
def test_bare_user_password_without_scheme_is_masked(user: str, password: str) -> None:
    """`user:pass@host` that is no URL at all (a proxy setting written without a scheme)."""
    assert redact_text(f"proxy {user}:{password}@10.0.0.1:3128") == f"proxy {user}:****@10.0.0.1:3128"


# --- extends reads only profiles -----------------------------------------------------------------------------------

SECRET_LINE = "root:$6$Zx9Q.hunter2hash:19000:0:99999:7:::"


def _child(tmp_path: Path, extends: str) -> Path:
    child = tmp_path / "project" / "child.yaml"
    child.parent.mkdir(exist_ok=True)
    child.write_text(f"name: child\npython: '>=3.10'\npackages: ['torch==2.13.0']\nextends: '{extends}'\n")
    return child


@pytest.mark.parametrize(
    ("where", "content"),
    [
        ("secret", SECRET_LINE + "\n"),  # not a .yaml file at all
        ("secret.txt", f"{SECRET_LINE}: x\n"),
        ("secret.yaml", f"{SECRET_LINE}: x\ntoken: hunter2hash\n"),  # YAML, but not a profile
        ("secret.yml", "- hunter2hash\n"),
    ],
)
@pytest.mark.parametrize("spelling", ["absolute", "relative"])
def test_extends_never_quotes_a_file_that_is_not_a_profile(
    cli: Callable[..., CliResult], tmp_path: Path, where: str, content: str, spelling: str
) -> None:
    secret = tmp_path / "elsewhere" / where
    secret.parent.mkdir()
    secret.write_text(content)
    ref = str(secret) if spelling == "absolute" else f"../elsewhere/{where}"
    start = time.monotonic()
    result = cli("profiles", "show", str(_child(tmp_path, ref)))
    assert time.monotonic() - start < 30
    assert result.code == 2, result.out + result.err
    assert "extends" in result.err and "Fix:" in result.err
    assert_clean(result, "hunter2hash", "root:")


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc/hostname", "../../../../../../etc/passwd"])
def test_extends_refuses_system_files(cli: Callable[..., CliResult], tmp_path: Path, target: str) -> None:
    result = cli("profiles", "show", str(_child(tmp_path, target)))
    assert result.code == 2, result.out
    assert "extends" in result.err and "Fix:" in result.err
    assert_clean(result, "root:x:0:0", "/bin/bash", "nologin")


def test_extends_by_yaml_path_from_the_childs_folder(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """The legitimate spellings keep working: a sibling by name, a relative .yaml path, resolved from the child."""
    base = tmp_path / "shared" / "base.yaml"
    base.parent.mkdir()
    base.write_text("name: base\npython: '>=3.10'\npackages: ['numpy==2.2.6']\n")
    result = cli("profiles", "show", str(_child(tmp_path, "../shared/base.yaml")), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["chain"] == ["child", "base"]
    (tmp_path / "project" / "sib.yaml").write_text("name: sib\npython: '>=3.10'\npackages: ['numpy==2.2.6']\n")
    result = cli("profiles", "show", str(_child(tmp_path, "sib")), "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["chain"] == ["child", "sib"]


# --- terminal escapes ------------------------------------------------------------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b1m\u202e"


@pytest.mark.parametrize("command", [["profiles", "show"], ["profiles", "list"], ["profiles", "validate"]])
def test_control_characters_in_profiles_never_reach_the_terminal(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    spec = folder / "evil.yaml"
    document = {
        "name": "evil",
        "description": f"nice {ESCAPES} [bold]markup[/] [/]",
        "python": ">=3.10",
        "packages": ["torch==2.13.0"],
        "env": f".venv-{ESCAPES}",
    }
    spec.write_text(json.dumps(document) + "\n")  # JSON is YAML: \u001b escapes become real control characters
    bad = folder / "bad.yaml"  # its error message quotes the key
    bad.write_text('name: bad\npython: ">=3.10"\npackages: ["torch==2.13.0"]\n"k\\e]0;x\\a\\e[2J\\x9b\\u202e": 1\n')
    monkeypatch.chdir(tmp_path)
    args = [*command, "evil"] if command[1] == "show" else command
    if command[1] == "validate":
        args = [*command, str(bad)]
    result = cli(*args)
    assert result.code in (0, 2), result.err
    text = result.out + result.err
    for char in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert char not in text, repr(text)
    assert "Traceback" not in text
    if command[1] != "validate":
        assert "evil" in result.out


# --- crash logs --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("log_dir_usable", [True, False])
def test_crash_logs_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_dir_usable: bool) -> None:
    """Even under umask 0, and when the log folder cannot be used, the traceback (argv, paths) is readable by the
    user only, in a folder only the user can list: never a world-readable /tmp/crash-*.log."""
    import tempfile

    from llmenv.report.crash import write_crash_log

    shared_tmp = tmp_path / "tmp"  # stands for /tmp: the fallback must make its own private folder in it
    shared_tmp.mkdir(mode=0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    if not log_dir_usable:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("")
        monkeypatch.setenv("LLMENV_LOG_DIR", str(blocker / "logs"))
    old = os.umask(0)
    try:
        try:
            raise RuntimeError(f"cannot reach https://deploy:{PASSWORD}@127.0.0.1/simple/")
        except RuntimeError as exc:
            path = write_crash_log(exc, ["setup", f"https://u:{PASSWORD}@h/simple"])
    finally:
        os.umask(old)
    assert path.is_file(), path
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o077 == 0, oct(path.parent.stat().st_mode)
    assert path.parent.stat().st_uid == os.getuid()
    assert path.parent != shared_tmp
    if not log_dir_usable:
        assert path.parent.parent == shared_tmp and path.parent.name.startswith("llmenv-crash-")
    assert PASSWORD not in path.read_text()


def test_raw_control_characters_in_a_profile_are_a_profile_error(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    """YAML forbids raw control characters; the reader's error must be a located profile error, not a crash."""
    spec = tmp_path / "raw.yaml"
    spec.write_text(f"name: raw\npython: '>=3.10'\npackages: ['torch==2.13.0']\ndescription: x{ESCAPES}\n")
    result = cli("profiles", "show", str(spec))
    assert result.code == 2, result.err
    assert f"{spec}:4" in result.err and "Fix:" in result.err and "U+001B" in result.err
    assert "\x1b" not in result.err and "Traceback" not in result.err


@pytest.mark.slow
@pytest.mark.parametrize(
    "url",
    [
        "http://deploy:pa#ss/w0rdLeak@127.0.0.1:9/simple/",
        "http://deploy:pa ss'w0rdLeak@127.0.0.1:9/simple/",
        "http://deploy:w0rdLeak@[127.0.0.1:9/simple/",
    ],
)
@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_failed_install_with_awkward_password_leaks_nothing(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, url: str
) -> None:
    """An unencoded `#`/`/`/space/quote in a pip.conf password, or a malformed URL: the installer fails (nothing
    listens on 127.0.0.1:9), and its output, llmenv's error and the log stay free of the password."""
    password = url.split("deploy:", 1)[1].rsplit("@", 1)[0]
    _pip_conf(tmp_path, monkeypatch, url)
    spec = tmp_path / "tiny.yaml"
    spec.write_text("name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n")
    start = time.monotonic()
    result = cli("setup", str(spec), "--env", str(tmp_path / "env"), "--backend", backend, "--skip-smoke")
    assert time.monotonic() - start < 120
    assert result.code == 4, result.out + result.err
    assert "Fix:" in result.err
    assert_clean(result, password, "w0rdLeak")
    logs = "".join(p.read_text() for p in Path(os.environ["LLMENV_LOG_DIR"]).glob("*.log"))
    assert "w0rdLeak" not in logs


@pytest.mark.parametrize("command", [["doctor"], ["probe"]])
def test_control_characters_from_the_environment_never_reach_the_terminal(
    cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """Doctor evidence and probe facts quote the user's pip configuration and variables."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:9/{ESCAPES}simple/")
    monkeypatch.setenv("PIP_TRUSTED_HOST", f"evil{ESCAPES}")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", f"0{ESCAPES}")
    start = time.monotonic()
    result = cli(*command)
    assert time.monotonic() - start < 60
    text = result.out + result.err
    assert "Traceback" not in text
    assert "127.0.0.1:9" in text
    for char in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert char not in text, repr(text)


def test_index_password_never_in_lock_compiler_argv(
    cli: Callable[..., CliResult], wheels: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`llmenv lock` runs `uv pip compile` against the authenticated index: same rule as installs."""
    seen: list[str] = []
    leaked: list[str] = []

    def look() -> None:
        for pid, line in all_cmdlines().items():
            if pid != os.getpid() and " compile " in line:
                seen.append(line)
            if pid != os.getpid() and PASSWORD in line:
                leaked.append(line)

    with serve(IndexServer(wheels, auth=("deploy", PASSWORD), on_request=look)) as server:
        _pip_conf(tmp_path, monkeypatch, server.url_with_auth())
        spec = tmp_path / "tiny.yaml"
        spec.write_text("name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n")
        start = time.monotonic()
        result = cli("lock", str(spec), "--accelerator", "cpu", "--output-dir", str(tmp_path / "locks"))
        assert time.monotonic() - start < 120
    assert result.code == 0, result.out + result.err
    assert seen and not leaked, leaked
    assert_clean(result, PASSWORD)
    written = "".join(p.read_text() for p in (tmp_path / "locks").rglob("*") if p.is_file())
    assert "alpha==1.0" in written and PASSWORD not in written
