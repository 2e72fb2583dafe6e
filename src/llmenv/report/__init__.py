"""Rendering: results become console text, JSON or files here, and nowhere else."""
