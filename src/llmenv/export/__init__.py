"""Turning a profile's plan into files other tools run: Dockerfile, devcontainer, CI workflow, hashed lock.

Renderers are pure (plan in, text out); the CLI writes the text where asked."""
