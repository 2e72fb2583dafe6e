"""llmenv's uv steps run isolated from the user's uv configuration (pure parts: argv and environment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmenv.execute.installers import Command, child
from llmenv.probe.uvconfig import UV_HONOURED, probe_uv_config, setting_names

USER = {
    "PATH": "/usr/bin",
    "UV_INDEX_URL": "http://127.0.0.1:9/simple",
    "UV_OFFLINE": "1",
    "UV_PYTHON": "3.8",
    "UV_CACHE_DIR": "/big/disk/uv",
    "UV_NATIVE_TLS": "1",
}


def test_uv_step_drops_user_uv_variables_and_reads_no_config_file() -> None:
    argv, env = child(Command(["/opt/bin/uv", "pip", "install", "alpha"], {"NO_COLOR": "1"}), USER)
    assert argv[:2] == ["/opt/bin/uv", "--no-config"] and argv[2:] == ["pip", "install", "alpha"]
    assert "UV_INDEX_URL" not in env and "UV_OFFLINE" not in env and "UV_PYTHON" not in env
    assert env["UV_CACHE_DIR"] == "/big/disk/uv" and env["UV_NATIVE_TLS"] == "1" and env["PATH"] == "/usr/bin"


def test_what_llmenv_sets_itself_survives() -> None:
    """Credentials moved out of argv travel as UV_INDEX_URL: the step's own value wins over the user's."""
    _argv, env = child(Command(["uv", "pip", "install"], {"UV_INDEX_URL": "https://u:t@mirror/simple"}), USER)
    assert env["UV_INDEX_URL"] == "https://u:t@mirror/simple"


def test_pip_steps_are_untouched() -> None:
    argv, env = child(Command(["/env/bin/python", "-m", "pip", "install", "x"], {}), USER)
    assert argv == ["/env/bin/python", "-m", "pip", "install", "x"] and env["UV_INDEX_URL"] == USER["UV_INDEX_URL"]


@given(st.dictionaries(st.from_regex(r"UV_[A-Z_]{1,20}", fullmatch=True), st.text(max_size=5), max_size=8))
def test_no_user_uv_variable_passes_unless_honoured(variables: dict[str, str]) -> None:
    _argv, env = child(Command(["uv", "venv"], {}), variables)
    assert {k for k in env if k.startswith("UV_")} <= set(UV_HONOURED)


@pytest.mark.parametrize(
    ("text", "pyproject", "names"),
    [
        ('index-url = "x"\n[[index]]\nurl = "y"\n[pip]\nno-index = true\n', False, ("index-url", "index", "pip")),
        ('[project]\nname = "a"\n[tool.uv]\noffline = true\n[[tool.uv.index]]\nurl = "z"\n[tool.ruff]\nx = 1\n', True,
         ("offline", "index")),
        ('[project]\nname = "a"\n', True, None),
        ('[[tool.uv.index]]\nurl = "z"\n', True, ("index",)),
    ],
)  # fmt: skip
def test_setting_names(text: str, pyproject: bool, names: tuple[str, ...] | None) -> None:
    assert setting_names(text, pyproject) == names


def test_probe_finds_project_user_and_config_file(tmp_path: Path) -> None:
    project = tmp_path / "work" / "sub"
    project.mkdir(parents=True)
    (tmp_path / "work" / "pyproject.toml").write_text('[tool.uv]\nindex-url = "https://u:pw@m/simple"\n')
    (tmp_path / "cfg" / "uv").mkdir(parents=True)
    (tmp_path / "cfg" / "uv" / "uv.toml").write_text("offline = true\n")
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "UV_OFFLINE": "1"}
    config = probe_uv_config(environ, project, windows=False).value
    assert config is not None
    assert [(f.scope, f.keys) for f in config.files] == [("project", ("index-url",)), ("user", ("offline",))]
    assert "pw" not in repr(config)
    assert config.source_settings[0] == "UV_OFFLINE"
    only = probe_uv_config({**environ, "UV_CONFIG_FILE": str(tmp_path / "cfg" / "uv" / "uv.toml")}, project).value
    assert only is not None and [f.scope for f in only.files] == ["UV_CONFIG_FILE"]
