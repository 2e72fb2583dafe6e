"""Regenerate the shipped profile JSON Schema and the published --json output schemas (docs/schemas/), both
generated from their models (profiles/model.py, report/documents/, plan/stamp.py)."""

from __future__ import annotations

import json
from pathlib import Path

from llmenv.profiles.schema import SCHEMA_FILE, build_schema, render


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    target = repo / "src" / "llmenv" / "profiles" / SCHEMA_FILE
    target.write_text(render(build_schema()), encoding="utf-8")
    print(f"wrote {target}")
    from llmenv.report.documents import file_name, schemas

    for name, schema in schemas().items():
        out = repo / "docs" / "schemas" / file_name(name)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
