"""Activation lines per shell, quoted for that shell. (tests/integration/test_activation.py runs them in bash.)"""

from __future__ import annotations

from pathlib import PurePosixPath

from llmenv.report.activation import activate_line, detect_shell, display_path, python_path, usage_lines


def test_shell_detection() -> None:
    assert detect_shell({"SHELL": "/usr/bin/fish"}, windows=False) == "fish"
    assert detect_shell({"SHELL": "/bin/zsh"}, windows=False) == "zsh"
    assert detect_shell({}, windows=False) == "bash"
    assert detect_shell({"PSModulePath": "C:\\x"}, windows=True) == "powershell"
    assert detect_shell({"PROMPT": "$P$G"}, windows=True) == "cmd"


def test_lines_are_quoted_for_each_shell() -> None:
    """Failed before: `source /tmp/my env/bin/activate` (unquoted) was printed for every shell."""
    env = "my env's"
    assert activate_line(env, "bash") == "source 'my env'\"'\"'s/bin/activate'"
    assert activate_line(env, "fish") == "source 'my env\\'s/bin/activate.fish'"
    assert activate_line(env, "powershell") == "& 'my env''s\\Scripts\\Activate.ps1'"
    assert activate_line("my env", "cmd") == '"my env\\Scripts\\activate.bat"'
    assert activate_line(".venv", "zsh") == "source .venv/bin/activate"
    assert python_path(".venv", "powershell") == "& '.venv\\Scripts\\python.exe'"


def test_usage_names_the_next_commands() -> None:
    lines = usage_lines(".venv", "bash", smoke_ran=False)
    assert lines[0] == "use it (bash): source .venv/bin/activate"
    assert any("llmenv doctor --env .venv" in line for line in lines)
    assert any("llmenv smoke --env .venv" in line for line in lines)
    assert not any("llmenv smoke" in line for line in usage_lines(".venv", "bash", smoke_ran=True))


def test_env_inside_the_working_folder_is_shown_relative() -> None:
    assert display_path(PurePosixPath("/w/p/.venv"), PurePosixPath("/w/p")) == ".venv"
    assert display_path(PurePosixPath("/elsewhere/.venv"), PurePosixPath("/w/p")) == "/elsewhere/.venv"
