"""User mirror sets in <config dir>/mirrors.yaml: accepted shapes, and one-paragraph errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.errors import UsageError
from llmenv.mirrors.config import known_sets, mirrors_file, parse_mirrors


def test_a_user_set_with_variant_and_flat_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(tmp_path))
    mirrors_file().write_text(
        'campus:\n  pypi: "https://pypi.campus.edu/simple"\n  pytorch: "https://w.campus.edu/whl/{variant}/"\n'
        "  pytorch_format: flat\ntuna:\n  pypi: https://my.tuna/simple\n"
    )
    sets = known_sets()
    assert sets["campus"].url("pytorch", "cu126") == "https://w.campus.edu/whl/cu126/"
    assert sets["campus"].pytorch_format == "flat" and sets["campus"].origin == str(mirrors_file())
    assert sets["tuna"].url("pypi") == "https://my.tuna/simple"  # a user set shadows the built-in
    assert "china" in sets


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("campus:\n  pypi: https://x/simple\n  pytroch: https://y\n", "m.yaml:3", "did you mean 'pytorch'"),
        ("campus:\n  pypi: ftp://x/simple\n", "m.yaml:2", "not an http(s) or file URL"),
        ("campus:\n  pytorch: https://x\n  pytorch_format: wheels\n", "m.yaml:3", "use index (PEP 503) or flat"),
        ("auto:\n  pypi: https://x\n", "m.yaml:1", "cannot name a mirror set"),
        ("campus: https://x\n", "m.yaml:1", "must map roles to URLs"),
        ("campus:\n  pypi: [1]\n", "m.yaml:2", "must be a string"),
        ("campus:\n  pypi: https://a\n  pypi: https://b\n", "m.yaml:3", "duplicate key 'pypi'"),
        ("campus: {pypi: 'https://x'\n", "m.yaml:2", "invalid YAML"),
        ("- a\n", "m.yaml:1", "expected a mapping"),
    ],
)
def test_bad_files_name_the_line(text: str, where: str, says: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_mirrors(text, "m.yaml")
    assert info.value.where == where and says in info.value.render()
    assert info.value.exit_code == 2 and info.value.fix
