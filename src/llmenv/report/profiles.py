"""Console views of profiles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmenv.report.console import stdout_console
from llmenv.report.text import printable, printable_data

if TYPE_CHECKING:
    from llmenv.profiles.catalog import CatalogEntry
    from llmenv.profiles.model import Profile


def print_catalog(entries: list[CatalogEntry]) -> None:
    """A table in a terminal wide enough for one; otherwise (a pipe, a file, a narrow terminal) one line per
    profile, its description whole, so `profiles list | grep` finds a profile by any word of it."""
    from llmenv.report.console import table_width, write_lines

    header = ("NAME", "ORIGIN", "PYTHON", "ACCELERATOR", "DESCRIPTION")
    rows = []
    for e in entries:
        if e.profile is None:
            row = [e.name, e.origin, "-", "-", f"INVALID: {e.path} (run `llmenv profiles validate {e.path}`)"]
        else:
            p = e.profile
            row = [e.name, e.origin, p.python, p.accelerator, p.description]
        rows.append([printable(" ".join(cell.split())) for cell in row])
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(4)]
    if table_width(sum(widths) + 8 + 40) is None:
        write_lines(
            "  ".join([*(c.ljust(w) for c, w in zip(r, widths, strict=False)), r[4]]).rstrip()
            for r in [list(header), *rows]
        )
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # descriptions are data, never markup
    stdout_console().print(table)


def resolved_view(profile: Profile, accelerator: str | None) -> dict[str, Any]:
    """The profile as shown (plain and JSON); the sink masks credentials in its index URLs on the way out."""
    from llmenv.profiles.model import CONCRETE_ACCELERATORS

    view = profile.to_dict()
    wanted = [accelerator] if accelerator else list(CONCRETE_ACCELERATORS)
    view["packages_by_accelerator"] = {a: list(profile.packages_for(a)) for a in wanted}
    return view


def print_profile(view: dict[str, Any]) -> None:
    view = printable_data(view)
    console = stdout_console()
    chain = " <- ".join(view["chain"])
    console.print(f"{view['name']}: {view['description']}")
    console.print(f"  source       {view['source']} ({view['origin']}; extends chain: {chain})")
    console.print(f"  python       {view['python']}")
    console.print(f"  env          {view['env']}")
    console.print(f"  accelerator  {view['accelerator']}")
    for acc, packages in view["packages_by_accelerator"].items():
        override = view["accelerators"].get(acc, {})
        extra = []
        if override.get("index_url"):
            extra.append(f"index {override['index_url']}")
        if override.get("min_cuda"):
            extra.append(f"min CUDA {override['min_cuda']}")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        console.print(f"  packages[{acc}]{suffix}")
        for requirement in packages:
            console.print(f"    {requirement}")
    checks = view["checks"]
    console.print(f"  checks       imports {', '.join(checks['imports']) or '-'}; gpu {checks['gpu']}")
    smoke = view["smoke"]
    if smoke:
        console.print(
            f"  smoke        {smoke['framework']} on {smoke['dataset']}, min accuracy {smoke['min_accuracy']}, "
            f"budget {smoke['time_budget_s']} s"
        )
    else:
        console.print("  smoke        none")
    console.print(f"  content hash {view['content_hash'][:16]}")


__all__ = ["print_catalog", "print_profile", "resolved_view"]
