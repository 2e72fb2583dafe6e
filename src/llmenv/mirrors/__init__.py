"""Mirrors, one package (issue 17): a setting with roles (pypi, pytorch, huggingface, python, imdb), in the
pipeline's order, each module at its layer (tests/unit/test_layers.py RANK):

- `sets`: the roles, upstream and the built-in sets, with cited URLs (a table);
- `config`: the user's sets in `<config dir>/mirrors.yaml`, validated with file:line errors;
- `probe`: asking every set's roles at once within one budget (the only network step);
- `decide`: the pure decision per role (the plan maker calls it, once per command);
- `resolve`: the one path every command takes: request (--mirror, LLMENV_MIRROR, the env's stamp, the profile),
  sets, probes, decision;
- `findings`: doctor's findings per role;
- `export`: the chosen set written into Dockerfiles and workflows.

Nothing is imported here, so importing one module loads only what it needs."""
