"""How a fix names the profile an env's stamp records."""

from __future__ import annotations

from pathlib import Path

from llmenv.profiles.locate import builtin_dir
from llmenv.verify.env.fixes import stamp_profile_ref


def test_a_builtin_profile_is_named_not_pathed() -> None:
    """What `llmenv setup torch` records: the path of llmenv's installed copy. Failed before (rollback's fix
    printed that path)."""
    assert stamp_profile_ref({"profile": "torch", "profile_source": str(builtin_dir() / "torch.yaml")}) == "torch"


def test_a_file_outside_llmenv_keeps_its_path(tmp_path: Path) -> None:
    source = str(tmp_path / "torch.yaml")
    assert stamp_profile_ref({"profile": "torch", "profile_source": source}) == source


def test_a_renamed_profile_in_the_builtin_folder_keeps_its_path() -> None:
    # the file's name differs from the profile's: by name it would not be found
    source = str(builtin_dir() / "torch.yaml")
    assert stamp_profile_ref({"profile": "other", "profile_source": source}) == source


def test_old_stamps_without_a_source_use_the_name() -> None:
    assert stamp_profile_ref({"profile": "tf"}) == "tf"
    assert stamp_profile_ref({}) is None
