from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from packaging.specifiers import SpecifierSet

from llmenv.profiles.load import load_profile
from llmenv.profiles.locate import builtin_dir, list_available
from llmenv.profiles.model import is_pinned, project_name
from llmenv.profiles.schema import schema_text

BUILTINS = ["torch", "transformers", "tf", "full", "finetune"]


def test_every_builtin_is_shipped() -> None:
    names = {name for name, located in list_available() if located.origin == "builtin"}
    assert set(BUILTINS) <= names


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_resolves_and_is_fully_pinned(name: str) -> None:
    profile = load_profile(name)
    assert profile.origin == "builtin"
    for accelerator in ("cpu", "cuda", "rocm", "mps"):
        packages = profile.packages_for(accelerator)
        assert packages, accelerator
        assert all(is_pinned(r) for r in packages), packages
    # Every built-in supports the Pythons the issue names, and this machine's 3.11.
    spec = SpecifierSet(profile.python)
    assert {"3.10", "3.11", "3.12"} <= {v for v in ("3.10", "3.11", "3.12", "3.14") if v in spec}
    assert "3.14" not in spec


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_validates_against_published_schema(name: str) -> None:
    schema = json.loads(schema_text())
    data = yaml.safe_load((builtin_dir() / f"{name}.yaml").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)


def test_torch_pins_the_machine_build() -> None:
    profile = load_profile("torch")
    assert "torch==2.13.0" in profile.packages_for("cpu")
    assert profile.accelerators["cuda"].index_url == "https://download.pytorch.org/whl/{variant}"


def test_tf_has_no_transformers_and_swaps_cpu_wheel_on_cuda() -> None:
    tf = load_profile("tf")
    for accelerator in ("cpu", "cuda"):
        assert "transformers" not in {project_name(r) for r in tf.packages_for(accelerator)}
    cpu = {project_name(r) for r in tf.packages_for("cpu")}
    cuda = tf.packages_for("cuda")
    assert "tensorflow-cpu" in cpu
    assert "tensorflow-cpu" not in {project_name(r) for r in cuda}
    assert any(r.startswith("tensorflow[and-cuda]==2.21.0") for r in cuda)
    assert tf.smoke is not None and tf.smoke.framework == "keras"


def test_default_profile_is_transformers_on_torch() -> None:
    profile = load_profile("transformers")
    assert profile.chain == ("transformers", "torch")
    names = {project_name(r) for r in profile.packages_for("cpu")}
    assert {"torch", "transformers", "tokenizers", "numpy"} <= names
    assert profile.checks.imports[:2] == ["torch", "numpy"]
    assert "transformers" in profile.checks.imports


def test_full_is_cpu_first_and_says_so() -> None:
    full = load_profile("full")
    assert "CPU-first" in full.description
    cuda = {project_name(r) for r in full.packages_for("cuda")}
    assert "tensorflow-cpu" in cuda and "torch" in cuda
    assert {"scikit-learn", "pandas", "matplotlib", "tensorboard"} <= cuda


def test_finetune_pins_the_fine_tuning_stack_on_the_planned_torch_build() -> None:
    profile = load_profile("finetune")
    assert profile.chain == ("finetune", "transformers", "torch")
    cpu = {project_name(r): r for r in profile.packages_for("cpu")}
    assert cpu["torch"] == "torch==2.13.0" and cpu["transformers"] == "transformers==5.20.2"
    assert {"peft", "accelerate", "datasets", "tensorboard", "tokenizers"} <= set(cpu)
    assert "bitsandbytes" not in cpu  # its kernels need an NVIDIA GPU: only the CUDA build gets it
    cuda = {project_name(r) for r in profile.packages_for("cuda")}
    assert "bitsandbytes" in cuda
    assert profile.accelerators["cuda"].index_url == "https://download.pytorch.org/whl/{variant}"  # torch's own
    assert "from transformers import BertForSequenceClassification" in profile.checks.imports
    assert {"peft", "accelerate", "datasets"} <= set(profile.checks.imports)
    assert profile.smoke is not None and profile.smoke.framework == "finetune"
