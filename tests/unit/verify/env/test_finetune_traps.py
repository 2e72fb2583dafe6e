"""Doctor's fine-tuner traps, judged from recorded METADATA (tests/data/finetune: the Requires-Dist headers of
transformers 5.20.2, peft 0.21.2 and accelerate 1.15.0 as installed from PyPI) and recorded host facts."""

from __future__ import annotations

import shlex
from pathlib import Path

from llmenv.probe.installed import installed_distributions, requirements_in
from llmenv.verify.env.finetune import FineTuneHost, finetune_findings
from llmenv.verify.model import Finding, Status

DATA = Path(__file__).resolve().parents[3] / "data" / "finetune"
MARKERS = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux",
           "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "platform_release": "", "platform_version": "", "implementation_version": "3.11.7"}  # fmt: skip
NO_GPU = FineTuneHost((), None, None, None)
A100 = FineTuneHost((("NVIDIA A100-SXM4-40GB", "8.0"),), "/usr/local/cuda-12.6/bin/nvcc", "/usr/local/cuda-12.6", None)
SETUP = "llmenv setup finetune --env /w/.venv"
PYTHON = "/w/.venv/bin/python"


def site(tmp_path: Path, **versions: str) -> Path:
    """An env whose site-packages holds the recorded METADATA under the given versions (name -> version)."""
    packages = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    for name, version in versions.items():
        info = packages / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        recorded = list(DATA.glob(f"{name}-*.METADATA"))
        text = recorded[0].read_text() if recorded else f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        (info / "METADATA").write_text(text + "\n")
    return tmp_path / "env"


def judge(env: Path, host: FineTuneHost = NO_GPU, **kwargs: object) -> list[Finding]:
    return finetune_findings(
        installed_distributions(env),
        requirements_in(env),
        MARKERS,
        host,
        PYTHON,
        SETUP,
        **kwargs,  # type: ignore[arg-type]
    )


def test_the_profiles_matched_pins_raise_nothing(tmp_path: Path) -> None:
    env = site(tmp_path, transformers="5.20.2", peft="0.21.2", accelerate="1.15.0", torch="2.13.0+cpu",
               huggingface_hub="2.4.0", tokenizers="0.23.3", safetensors="0.8.0")  # fmt: skip
    assert judge(env) == []


def test_accelerate_below_what_transformers_trainer_and_peft_declare(tmp_path: Path) -> None:
    """Failed before (nothing said it): accelerate 0.20.0 under transformers 5.20.2 and peft 0.21.2. `pip check`
    misses transformers' half, declared only in its `torch` extra."""
    env = site(tmp_path, transformers="5.20.2", peft="0.21.2", accelerate="0.20.0", torch="2.13.0+cpu",
               huggingface_hub="2.4.0", tokenizers="0.23.3", safetensors="0.8.0")  # fmt: skip
    findings = {f.id: f for f in judge(env)}
    assert set(findings) == {"env.finetune.range.transformers.accelerate", "env.finetune.range.peft.accelerate"}
    trainer = findings["env.finetune.range.transformers.accelerate"]
    assert (
        trainer.status is Status.FAIL and "accelerate>=1.1.0" in trainer.evidence and "torch` extra" in trainer.evidence
    )
    assert "accelerate 0.20.0 is installed" in trainer.evidence
    assert trainer.fix is not None and SETUP in trainer.fix
    command = trainer.fix.split("`")[3]
    assert shlex.split(command) == [PYTHON, "-m", "pip", "install", "accelerate>=1.1.0"]
    assert "accelerate>=0.21.0" in findings["env.finetune.range.peft.accelerate"].evidence


def test_tokenizers_outside_transformers_range(tmp_path: Path) -> None:
    env = site(tmp_path, transformers="5.20.2", tokenizers="0.24.1", huggingface_hub="2.4.0", safetensors="0.8.0")
    (finding,) = judge(env)
    assert finding.id == "env.finetune.range.transformers.tokenizers" and "<0.24.0,>=0.23.1" in finding.evidence


def test_bitsandbytes_without_a_gpu_says_so_and_how_to_fine_tune_instead(tmp_path: Path) -> None:
    env = site(tmp_path, bitsandbytes="0.50.2", torch="2.13.0+cpu")
    (finding,) = judge(env)
    assert finding.status is Status.WARN and "no NVIDIA GPU" in finding.evidence
    assert finding.fix is not None and f"{PYTHON} -m pip uninstall -y bitsandbytes" in finding.fix


def test_bitsandbytes_with_a_cpu_torch_or_an_old_gpu_or_a_good_one(tmp_path: Path) -> None:
    cpu_torch = site(tmp_path / "a", bitsandbytes="0.50.2", torch="2.13.0+cpu")
    (finding,) = judge(cpu_torch, A100)
    assert (
        finding.status is Status.WARN
        and "not a CUDA build" in finding.evidence
        and "--accelerator cuda" in str(finding.fix)
    )
    cuda = site(tmp_path / "b", bitsandbytes="0.50.2", torch="2.13.0+cu126")
    (good,) = judge(cuda, A100)
    assert good.status is Status.OK and "A100" in good.title
    kepler = FineTuneHost((("Tesla K80", "3.7"),), None, None, None)
    (old,) = judge(cuda, kepler)
    assert old.status is Status.WARN and "3.7" in old.evidence


def test_doctor_says_why_bitsandbytes_is_not_there(tmp_path: Path) -> None:
    env = site(tmp_path, torch="2.13.0+cpu")
    (finding,) = judge(env, bitsandbytes_offered="cpu")
    assert finding.status is Status.SKIP and "no NVIDIA GPU here" in finding.title
    (planned,) = judge(env, A100, bitsandbytes_offered="cpu")
    assert "the plan chose the cpu build" in planned.title


def test_flash_attn_abi_mismatch_and_no_nvcc(tmp_path: Path) -> None:
    env = site(tmp_path, **{"flash_attn": "2.8.3", "torch": "2.13.0+cu126"})
    error = (
        "ImportError: /w/.venv/lib/python3.11/site-packages/flash_attn_2_cuda.cpython-311-x86_64-linux-gnu.so: "
        "undefined symbol: _ZN3c104cuda9SetDeviceEi"
    )
    (finding,) = judge(env, A100, flash_attn_error=error)
    assert finding.status is Status.FAIL and "another torch, CUDA or C++ ABI" in finding.title
    assert "undefined symbol" in finding.evidence and "2.13" in str(finding.fix) and "cxx11abi" in str(finding.fix)
    (fine,) = judge(env, A100)
    assert fine.status is Status.OK
    bare = site(tmp_path / "b", torch="2.13.0+cu126")
    (wanted,) = judge(bare, NO_GPU, profile_packages=["flash-attn==2.8.3"])
    assert wanted.status is Status.WARN and "no nvcc" in wanted.title
    assert judge(bare, A100, profile_packages=["flash-attn==2.8.3"]) == []  # nvcc is there: it can compile


def test_deepspeed_without_cuda_home_names_the_toolkit_it_found(tmp_path: Path) -> None:
    env = site(tmp_path, deepspeed="0.18.2", torch="2.13.0+cu126")
    (finding,) = judge(env, A100)
    assert finding.status is Status.WARN and "MissingCUDAException" in finding.evidence
    assert (
        finding.fix
        == "`export CUDA_HOME=/usr/local/cuda-12.6` (the toolkit of /usr/local/cuda-12.6/bin/nvcc) before training"
    )
    (none,) = judge(env, NO_GPU)
    assert "no nvcc found" in none.evidence
    with_home = FineTuneHost(A100.gpus, A100.nvcc, A100.toolkit_home, "/usr/local/cuda-12.6")
    (good,) = judge(env, with_home)
    assert good.status is Status.OK
