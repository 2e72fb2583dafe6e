"""Errors for file-system faults and installer failures: the fix fits the cause."""

from __future__ import annotations

import errno

import pytest

from llmenv.errors import ExitCode, error_document, file_system_error, output_error, short_path
from llmenv.execute.installers.failures import classify_install_failure


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "disk is full"),
        (errno.EROFS, "read-only"),
        (errno.EACCES, "permission denied"),
        (errno.ENAMETOOLONG, "too long"),
        (errno.EISDIR, "folder"),
    ],
)
def test_file_system_error_names_the_cause(code: int, words: str) -> None:
    error = file_system_error(OSError(code, "x", "/some/path"), "write")
    assert error.exit_code == ExitCode.HOST_UNSUITABLE
    assert words in error.what and "/some/path" in error.what
    assert error.fix


def test_output_error_is_usage_and_names_the_option() -> None:
    error = output_error(IsADirectoryError(errno.EISDIR, "x", "out"), "out", "--junit")
    assert error.exit_code == ExitCode.USAGE and error.where == "--junit"


def test_short_path_keeps_both_ends() -> None:
    text = short_path("/a/" + "b" * 5000 + "/end")
    assert len(text) <= 120 and text.startswith("/a/") and text.endswith("/end")


def test_error_document() -> None:
    error = output_error(IsADirectoryError(errno.EISDIR, "x", "out"), "out", "--junit")
    document = error_document(error)
    assert document["exit_code"] == 2 and document["status"] == "error"


def test_unknown_output_keeps_the_generic_fix() -> None:
    assert classify_install_failure("something odd happened", "/e").kind == "unknown"
