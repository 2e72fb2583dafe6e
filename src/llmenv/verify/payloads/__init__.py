"""Scripts run by the target environment's interpreter. They import nothing from llmenv (it is not installed
there) and nothing outside the standard library, and print one JSON object on stdout (warm_imports.py, which runs
unattended, prints nothing)."""
