"""Install failures from a certificate outside its dates say to check the clock (uv's and pip's own words)."""

from __future__ import annotations

import pytest

from llmenv.execute.installers.failures import classify_install_failure

UV = (
    "error: Failed to fetch: https://pypi.example/simple/alpha/\n  cause: client error (Connect)\n"
    "  cause: invalid peer certificate: certificate {what}: verification time 1796538850 (UNIX), but certificate "
    "is not valid {when} 978307200 (818231650 seconds ago)"
)
PIP = (
    "Could not fetch URL https://pypi.example/simple/alpha/: There was a problem confirming the ssl certificate: "
    "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
    "certificate {what} (_ssl.c:1006)'))) - skipping"
)


@pytest.mark.parametrize(
    "output",
    [
        UV.format(what="expired", when="after"),
        UV.format(what="not valid yet", when="before"),
        PIP.format(what="has expired"),
        PIP.format(what="is not yet valid"),
    ],
)
def test_certificate_dates_are_the_clock(output: str) -> None:
    failure = classify_install_failure(output, "/work")
    assert failure.kind == "clock" and "check the system clock" in failure.fix and "SSL_CERT_FILE" not in failure.fix


def test_an_untrusted_certificate_is_still_the_ca_bundle() -> None:
    failure = classify_install_failure(
        PIP.format(what="self-signed certificate").replace("certificate self", "self"), "/w"
    )
    assert failure.kind == "network" and "SSL_CERT_FILE" in failure.fix
