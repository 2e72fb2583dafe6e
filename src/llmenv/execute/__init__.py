"""The only package that writes: environment generations, venv creation, installers."""
