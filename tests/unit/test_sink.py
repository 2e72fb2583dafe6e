"""The sink's stream and argv guard, as properties: however a line with a credential is cut into writes, what
reaches the terminal has no piece of the password; a child whose argv would carry one is not started."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmenv.sink import RedactingStream, child_argv, streams

PASSWORDS = st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="@/?#:\\\"'<>"), min_size=6)


@settings(max_examples=80, deadline=None)
@given(password=PASSWORDS, cuts=st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_a_password_cut_into_writes_never_reaches_the_stream(password: str, cuts: list[int]) -> None:
    line = f"index https://user:{password}@mirror.example/simple used\n"
    target = io.StringIO()
    stream = RedactingStream(target)  # type: ignore[arg-type]
    points = sorted({min(c, len(line)) for c in cuts})
    for start, end in zip([0, *points], [*points, len(line)], strict=True):
        stream.write(line[start:end])
    stream.flush()
    assert password not in target.getvalue()
    assert target.getvalue() == "index https://user:****@mirror.example/simple used\n"


def test_the_stream_hides_its_binary_buffer() -> None:
    """click writes to `.buffer` when it finds one; bytes there would pass unredacted."""
    stream = RedactingStream(sys.__stdout__)  # type: ignore[arg-type]
    assert not hasattr(stream, "buffer")
    assert stream.fileno() == sys.__stdout__.fileno()  # type: ignore[union-attr]


def test_streams_wraps_and_restores(capsys: pytest.CaptureFixture[str]) -> None:
    before = sys.stdout
    with streams():
        print("token hf_abcdefghijklmnopqrstuvwx in a line")
        assert isinstance(sys.stdout, RedactingStream)
    assert sys.stdout is before
    assert "hf_abc" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "arg",
    [
        "https://u:pw@host/simple",
        "--index-url=http://u:pw@h/s",
        "Bearer abcdefghijklmnop",
        "ghp_abcdefghijklmnopqrstuvwx",
    ],
)
def test_a_credential_in_a_childs_argv_stops_the_child(arg: str) -> None:
    with pytest.raises(RuntimeError, match="not started") as caught:
        child_argv(["uv", "pip", "install", arg])
    assert "pw" not in str(caught.value) and "abcdefgh" not in str(caught.value)


def test_a_plain_argv_passes() -> None:
    assert child_argv(["uv", "pip", "install", "git+https://host/x@v1", "--index-url", "https://h/simple"])
