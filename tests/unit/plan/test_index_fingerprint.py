"""The stamp's index fingerprint: it changes with the sources, and a password never goes into it.

The stamp is a plain file in the store; an unsalted hash of material holding a password lets anyone who can read
the stamp test guesses of that password offline. A new password for the same index serves the same packages, so
leaving credentials out also spares a rebuild."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from llmenv.plan.model import Indexes
from llmenv.redact import Secret


def indexes(index: str, extra: str = "file:///opt/pypi/simple") -> Indexes:
    return Indexes(
        index_url=Secret(index),
        extra_index_urls=(Secret(extra),),
        find_links=("/opt/wheels",),
        no_index=False,
        variant_index=Secret("https://download.pytorch.org/whl/cu126"),
        cert=None,
        client_cert=None,
        trusted_hosts=(),
        constraints=(),
        proxy=None,
    )


def test_a_new_password_or_token_keeps_the_fingerprint() -> None:
    one = indexes("https://ci:s3cret-one@mirror.corp/simple", "https://mirror.corp/extra?token=tok-one")
    two = indexes("https://ci:s3cret-two@mirror.corp/simple", "https://mirror.corp/extra?token=tok-two")
    assert one.fingerprint() == two.fingerprint()
    links = dataclasses.replace(one, find_links=("https://ci:s3cret-one@mirror.corp/links/",))
    assert (
        links.fingerprint()
        == dataclasses.replace(two, find_links=("https://ci:s3cret-two@mirror.corp/links/",)).fingerprint()
    )


@pytest.mark.parametrize(
    "change",
    [
        {"index_url": Secret("https://ci:s3cret-one@other.corp/simple")},
        {"index_url": Secret("https://someone-else:s3cret-one@mirror.corp/simple")},
        {"find_links": ("/opt/other-wheels",)},
        {"no_index": True},
        {"variant_index": Secret("https://download.pytorch.org/whl/cpu")},
        {"constraints": ("/etc/constraints.txt",)},
    ],
)
def test_another_source_changes_it(change: dict[str, object]) -> None:
    base = indexes("https://ci:s3cret-one@mirror.corp/simple")
    assert dataclasses.replace(base, **change).fingerprint() != base.fingerprint()  # type: ignore[arg-type]


def test_no_password_is_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    hashed: list[bytes] = []
    real = hashlib.sha256

    def spy(data: bytes = b"") -> object:
        hashed.append(data)
        return real(data)

    monkeypatch.setattr(hashlib, "sha256", spy)
    indexes("https://ci:s3cret-one@mirror.corp/simple", "https://mirror.corp/extra?token=tok-one").fingerprint()
    assert hashed and not any(b"s3cret" in h or b"tok-one" in h for h in hashed)
    assert json.loads(hashed[0])  # the material is still the sources, as JSON
