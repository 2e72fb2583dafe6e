"""Which proxy a request uses and where it was set, as pip (requests) and uv (reqwest) read it."""

from __future__ import annotations

import pytest

from llmenv.probe.proxy import proxy_for


@pytest.mark.parametrize(
    ("url", "environ", "origin"),
    [
        ("https://pypi.org/simple/", {"HTTPS_PROXY": "http://p:3128"}, "HTTPS_PROXY"),
        ("https://pypi.org/simple/", {"HTTPS_PROXY": "http://a:1", "https_proxy": "http://b:1"}, "https_proxy"),
        ("https://pypi.org/simple/", {"ALL_PROXY": "socks5://s:1080"}, "ALL_PROXY"),
        ("https://pypi.org/simple/", {"HTTP_PROXY": "http://p:3128"}, None),  # an https URL ignores HTTP_PROXY
        ("http://mirror.lan/simple/", {"HTTP_PROXY": "http://p:3128"}, "HTTP_PROXY"),
        ("https://pypi.org/simple/", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": ".pypi.org"}, None),
        ("https://files.pypi.org/x", {"HTTPS_PROXY": "http://p:1", "no_proxy": "pypi.org"}, None),
        ("https://pypi.org/simple/", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        ("/local/wheels", {"HTTPS_PROXY": "http://p:1"}, None),
    ],
)
def test_proxy_and_origin(url: str, environ: dict[str, str], origin: str | None) -> None:
    found = proxy_for(url, environ)
    assert (found.origin if found else None) == origin


def test_pips_setting_wins_and_secrets_stay_masked() -> None:
    found = proxy_for(
        "https://pypi.org/simple/", {"HTTPS_PROXY": "http://x:1"}, ("http://user:pw@proxy:3128", "/etc/pip.conf")
    )
    assert found is not None and "/etc/pip.conf" in found.describe() and "pw" not in found.describe()
    assert found.unset_hint() == "remove pip's proxy setting (/etc/pip.conf)"
