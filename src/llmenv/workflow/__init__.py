"""The pipelines, each a short sequence of stages a reader can see at once.

    doctor = load profile -> probe host -> host rules -> (env checks) -> report
    setup  = load profile -> (stamp matches? done) -> probe host -> plan -> lock -> build generation -> swap link
             -> smoke test
    smoke  = which env and profile -> find/prepare the data -> run the payload in the env -> judge accuracy
    lock / export / ci cache-key = load profile -> probe host -> plan -> render

Stages return data; rendering and exit codes happen in `report/` and `cli/`.
"""

from __future__ import annotations

from llmenv.workflow.artifacts import cache_key, export, lock
from llmenv.workflow.common import DEFAULT_PROFILE, SetupOptions
from llmenv.workflow.doctor import DoctorReport, doctor
from llmenv.workflow.setup import SetupReport, setup
from llmenv.workflow.smoke import SmokeOptions, smoke

__all__ = [
    "DEFAULT_PROFILE",
    "DoctorReport",
    "SetupOptions",
    "SetupReport",
    "SmokeOptions",
    "cache_key",
    "doctor",
    "export",
    "lock",
    "setup",
    "smoke",
]
