from __future__ import annotations

import pytest

from llmenv.redact import redact_env_value, redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pa55@pypi.example.com/simple", "https://user:****@pypi.example.com/simple"),
        ("https://ghp_abcdefghijklmnopqrstuvwx@host/x", "https://****@host/x"),
        ("https://host/simple?token=abc&page=2", "https://host/simple?token=****&page=2"),
        ("https://pypi.org/simple", "https://pypi.org/simple"),
        ("file:///opt/pypi/simple", "file:///opt/pypi/simple"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_text_finds_urls_and_tokens() -> None:
    text = (
        "Looking in indexes: https://me:hunter2@mirror.corp/simple, HF_TOKEN=hf_abcdefghijklmnopqrstuv "
        "Authorization: Bearer abc.def.ghi-123"
    )
    out = redact_text(text)
    assert "hunter2" not in out and "hf_abcdefghijklmnopqrstuv" not in out and "abc.def.ghi-123" not in out
    assert "https://me:****@mirror.corp/simple" in out


def test_env_values_redacted_by_name_and_by_value() -> None:
    assert redact_env_value("HF_TOKEN", "anything") == "****"
    assert redact_env_value("PIP_INDEX_URL", "https://u:p@h/simple") == "https://u:****@h/simple"
    assert redact_env_value("PATH", "/usr/bin") == "/usr/bin"


def test_unencoded_userinfo_names_the_characters_and_never_the_password() -> None:
    from llmenv.redact import unencoded_userinfo

    for password in ("s3cr%23t", "plainpw", "a%2Fb", "p w", "p@ss"):
        assert unencoded_userinfo(f"https://u:{password}@127.0.0.1:9/simple") is None
    assert unencoded_userinfo("git+https://host/x@v1") is None and unencoded_userinfo("/opt/wheels") is None
    raw = unencoded_userinfo("https://u:s3cr#t@127.0.0.1:9/simple")
    assert raw is not None and "%23" in raw and "s3cr" not in raw
    slash = unencoded_userinfo("https://u:xq7/zk9w@127.0.0.1:9/simple")
    assert slash is not None and "%2F" in slash and "xq7" not in slash and "zk9w" not in slash
