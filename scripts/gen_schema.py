"""Regenerate the shipped profile JSON Schema after changing `llmenv.profiles.model`."""

from __future__ import annotations

from pathlib import Path

from llmenv.profiles.schema import SCHEMA_FILE, build_schema, render


def main() -> None:
    target = Path(__file__).resolve().parents[1] / "src" / "llmenv" / "profiles" / SCHEMA_FILE
    target.write_text(render(build_schema()), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
