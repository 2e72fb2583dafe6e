"""The pipelines, each a short sequence of stages a reader can see at once.

    doctor = load profile -> probe host -> host rules -> (env checks) -> report
    setup  = load profile -> (stamp matches? done) -> probe host -> plan -> lock -> build generation -> swap link
             -> smoke test
    smoke  = which env and profile -> find/prepare the data -> run the payload in the env -> judge accuracy
    lock / export / ci cache-key = load profile -> probe host -> plan -> render

Stages return data; rendering and exit codes happen in `report/` and `cli/`. Callers import the pipeline they run
from its own module: importing this package imports none of them, so `llmenv setup` does not pay for doctor's.
"""
