"""An index password in PIP_INDEX_URL, as users write it (percent-encoded or not): doctor's mirror and index
findings never show it, nor a piece of it, and say what really happened to the probe. The index is a dead port on
127.0.0.1 (connection refused at once); the user's world: no pip configuration files, no find-links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers.mirror_server import dead_port
from tests.hostile.conftest import llmenv

# (password as written in the URL, what the probe must report)
CASES = [
    ("s3cr%23t", "connection refused"),
    ("plainpw", "connection refused"),
    ("a%2Fb", "connection refused"),
    ("p w", "connection refused"),
    ("s3cr#t", "%23"),  # unencoded: pip, uv and urllib read "s3cr" as the port: the URL is malformed, not down
    ("xq7/zk9w", "%2F"),
]


@pytest.mark.parametrize(("password", "reported"), CASES)
def test_doctor_masks_the_index_password_and_reports_the_real_failure(
    tmp_path: Path, password: str, reported: str
) -> None:
    """Before: evidence `upstream https://u:s3cr%23t@127.0.0.1:9/simple: [Errno -2] Name or service not known`
    (the password shown, the userinfo read as the host); unencoded passwords gave `nonnumeric port: 's3cr'` and a
    false `no answer within 3 s`."""
    url = f"https://u:{password}@127.0.0.1:{dead_port()}/simple"
    env = {"PIP_CONFIG_FILE": "/dev/null", "PIP_INDEX_URL": url, "LLMENV_CONFIG_DIR": str(tmp_path)}
    unset = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "LLMENV_MIRROR")
    modes = [("doctor", "--profile", "torch", "--json")]
    modes += [("doctor", "--profile", "torch")] if password in ("s3cr%23t", "s3cr#t") else []  # the text too
    for args in modes:
        result = llmenv(*args, env={**env, "XDG_CONFIG_DIRS": str(tmp_path)}, unset=unset, cwd=tmp_path)
        assert result.code in (0, 1) and result.seconds < 30, result.text  # 1: the dead index FAILs
        assert "Traceback" not in result.text and "internal error" not in result.text, result.text
        pieces = [p for p in re.split(r"[%#/ ]", password) if len(p) >= 3]
        for piece in [password, *pieces]:
            assert piece not in result.text.replace("127.0.0.1", ""), (piece, result.text)
        if args[-1] == "--json":
            findings = {f["id"]: f for f in json.loads(result.out)["findings"]}
            mirror = findings["network.mirror.pypi"]
            index = findings["network.index.index-url"]
            for finding in (mirror, index):
                assert "u:****@127.0.0.1" in finding["evidence"]
                assert reported in finding["evidence"], finding
                for false in ("resolve", "Name or service", "no answer within", "nonnumeric port"):
                    assert false not in finding["evidence"], finding
