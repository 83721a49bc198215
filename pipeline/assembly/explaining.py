"""`explain`: one figure of a built report, told from its manifest: what it means, its rule,
its value as the report shows it, the notebook cell that computed it and the input rows it
was computed from, one `file:row` a line, grouped by file, each with the values of the columns
its rule uses (as the build recorded them, `lineage.refs`: the contract's columns that may be
shown, `shown.may_show`, the rule the notebooks' view of rows follows; ids pseudonymised).

Reads only `OUT/<period>/<region>/manifest.json`: nothing is rebuilt, no input is read, and
neither pandas nor the notebook machinery is imported.
"""

from __future__ import annotations

import difflib
import json
from itertools import groupby
from pathlib import Path

from pipeline.assembly.rowdiff import shown as shown_value
from pipeline.exceptions import PipelineError
from pipeline.figures.shown import may_show
from pipeline.ids import ALL, SEGMENT
from pipeline.notebook import formatting

MANIFEST = "manifest.json"
CLOSEST = 3


def built_reports(outputs: Path) -> list[tuple[str, str]]:
    """(period, region) of every report folder holding a manifest; staging, swapped-out and
    failed folders (named `.…` or `….failed`, no id's shape) are not reports."""
    found = []
    for manifest in sorted(Path(outputs).glob(f"*/*/{MANIFEST}")):
        period, region = manifest.parent.parent.name, manifest.parent.name
        if SEGMENT.fits(period) and SEGMENT.fits(region):
            found.append((period, region))
    return found


def choose_report(outputs: Path, period: str | None, region: str | None) -> tuple[str, str]:
    """The report asked for. Left out, the region is the only one built, else `all`, and the
    period the only one built for that region; a choice left open is an error saying what to
    add."""
    built = built_reports(outputs)
    if not built:
        raise PipelineError(f"{outputs}: no built report (run `python -m pipeline run` first)")
    chosen = [(p, r) for p, r in built if period in (None, p) and region in (None, r)]
    if not chosen:
        asked = ", ".join(f"{what} {value}" for what, value in (("period", period), ("region", region)) if value)
        listed = ", ".join(f"{p}/{r}" for p, r in built[:8]) + (", …" if len(built) > 8 else "")
        raise PipelineError(f"{outputs}: no built report for {asked} (built: {listed})")
    regions = sorted({r for _, r in chosen})
    if region is None and len(regions) > 1:
        if ALL not in regions:
            raise PipelineError(f"{outputs}: several regions are built ({', '.join(regions)}) and no `{ALL}`: "
                                "choose one with --region")
        chosen = [(p, r) for p, r in chosen if r == ALL]
    if len(chosen) > 1:
        raise PipelineError(f"{outputs}: several periods are built ({', '.join(sorted(p for p, _ in chosen))}): "
                            "choose one with --period")
    return chosen[0]


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PipelineError(f"{path}: not a readable manifest ({type(error).__name__}); rebuild the report") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("figures"), dict):
        raise PipelineError(f"{path}: the manifest lists no figures; rebuild the report")
    return manifest


def explain(outputs: Path, name: str, period: str | None = None, region: str | None = None) -> list[str]:
    """The lines `python -m pipeline explain NAME` prints; an unknown name or a report not
    built is a `PipelineError` of one line."""
    period, region = choose_report(outputs, period, region)
    folder = Path(outputs) / period / region
    manifest = read_manifest(folder)
    figures = manifest["figures"]
    if name not in figures:
        closest = difflib.get_close_matches(name, list(figures), n=CLOSEST, cutoff=0.5)
        hint = f"closest: {', '.join(closest)}" if closest else "its figures are listed in figures.json"
        raise PipelineError(f"{name}: no such figure in {period}/{region}; {hint}")
    return describe(name, figures[name], folder, manifest.get("parameters", {}).get("inputs"))


def describe(name: str, figure: dict, folder: Path, inputs: str | None) -> list[str]:
    """One figure's entry of a manifest, as lines."""
    value = figure.get("value")
    shown = formatting.figure(name, value)
    raw = json.dumps(value, ensure_ascii=False)
    lines = [
        f"{name} = {shown}" + ("" if shown == raw else f"  (figures.json: {raw})"),
        f"report:  {folder}",
        f"meaning: {figure.get('description', '')}",
        f"rule:    {figure.get('rule', '')}",
        f"cell:    {_cell(figure, folder)}",
    ]
    # A manifest without the notebook (an old or hand-made one) names no page: not an error.
    page = folder / "notebooks" / Path(str(figure.get("notebook") or "_")).with_suffix(".html").name
    if figure.get("notebook") and figure.get("cell_id") and page.is_file():
        lines.append(f"html:    {page}#cell-id={figure['cell_id']}")
    if "rows" not in figure:
        return [*lines, "rows:    not recorded by this build (rebuild the report to list them)"]
    refs = figure["rows"]
    whole = [str(entry["table"]) for entry in figure.get("inputs", []) if entry.get("rows") is None]
    if not refs:
        source = f" (from {', '.join(whole)})" if whole else ""
        return [*lines, f"rows:    none{source}"]
    files = list(dict.fromkeys(str(ref["file"]) for ref in refs))
    where = f" of {inputs}" if inputs else ""
    lines.append(f"rows:    {len(refs)} in {len(files)} file{'s' if len(files) > 1 else ''}{where}"
                 + (f", and {', '.join(whole)}" if whole else ""))
    return lines + rows_lines(refs)


def _cell(figure: dict, folder: Path) -> str:
    notebook = figure.get("notebook")
    if not notebook:
        return "—"
    text = f"{folder / 'notebooks' / notebook}, cell {figure.get('cell_index')}"
    if figure.get("cell_id"):
        text += f" (id {figure['cell_id']})"
    if figure.get("execution_count") is not None:
        text += f", In [{figure['execution_count']}]"
    return text


def values_text(ref: dict) -> str:
    """A row's recorded values, `date: 2022-10-11; region: zko`, as the report shows values;
    only columns that may be shown (a manifest is an input here too: nothing else passes)."""
    values = ref.get("values")
    if not isinstance(values, dict):
        return ""
    return "; ".join(f"{column}: {shown_value(value)}" for column, value in values.items()
                     if may_show(str(ref.get("table")), str(column)))


def rows_lines(refs: list[dict]) -> list[str]:
    """Per file (in the order first named): a line naming it and its count, then one
    `file:row  id  (column: value; …)` line per row, in row order."""
    lines = []
    order = {file: i for i, file in enumerate(dict.fromkeys(ref["file"] for ref in refs))}
    ordered = sorted(refs, key=lambda ref: (order[ref["file"]], int(ref["row"])))
    for file, group in groupby(ordered, key=lambda ref: ref["file"]):
        listed = list(group)
        lines.append(f"  {file} ({len(listed)} row{'s' if len(listed) > 1 else ''})")
        lines += [f"    {file}:{ref['row']}" + (f"  {ref['id']}" if ref.get("id") else "")
                  + (f"  ({values})" if (values := values_text(ref)) else "") for ref in listed]
    return lines
