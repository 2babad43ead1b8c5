"""Long texts: a 1,000-paragraph trilingual resolution stored and rendered as a draft PDF.

- store: a cold ``resolutions new long.yaml`` (fresh process, a fresh copy of the workspace
  each run) against a floor script in a fresh process that reads the same file with the
  same YAML loader (ruamel round-trip, configured as ``drafts.source`` configures it) and
  inserts the version row with ``sqlite3``; target ≤ 1.5× (CPU);
- dossier: one document of an export, warm (see :func:`dossier_document`); target ≤ 1.2×;
- render: in one process, the draft PDF (ru, zh, en in parallel) as ``render`` builds it
  (the version read from the store, the document view, the HTML, the PDF printed by
  ``templates.pdf.render.Renderer``) against bare WeasyPrint
  ``HTML(string=html).write_pdf(font_config=…)`` of the very HTML the renderer produced,
  both after one warm-up run each, with a font configuration of their own each, taking
  turns; target ≤ 1.3×; the phases of ours (view, HTML, layout, PDF) are printed too.

The source is the demo resolution's paragraphs (workflow/demo_data/resolution.yaml) repeated
with distinct ids until there are 1,000 paragraphs, items included.

    python bench/long_text.py [--runs 3] [--render-runs 2] [--paragraphs 1000]
                              [--dossier-runs 7]
"""

from __future__ import annotations

import argparse
import copy
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    PYTHON,
    RESOLUTIONS,
    ROOT,
    Figure,
    bench_env,
    median,
    print_figures,
    refresh_bytecode,
    save,
    timed_run,
)

STORE_TARGET = 1.5
RENDER_TARGET = 1.3
DOSSIER_TARGET = 1.2

FLOOR = r"""
import sqlite3, sys, hashlib, json, datetime
from ruamel.yaml import YAML
text = open(sys.argv[1], encoding="utf-8").read()
yaml = YAML(typ="rt")
yaml.allow_duplicate_keys = False
yaml.width = 4096
yaml.indent(mapping=2, sequence=4, offset=2)
yaml.preserve_quotes = True
root = yaml.load(text)
digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
db = sqlite3.connect(sys.argv[2])
db.execute("create table if not exists floor_version (id integer primary key, "
           "resolution_id integer, number integer, source text, content_hash text, "
           "author text, note text, created_at text)")
with db:
    db.execute("insert into floor_version (resolution_id, number, source, content_hash, "
               "author, note, created_at) values (?, ?, ?, ?, ?, ?, ?)",
               (1, 1, text, digest, "ivanova", "first draft",
                datetime.datetime.now(datetime.timezone.utc).isoformat()))
db.close()
"""


def _paragraph_count(nodes: Any) -> int:
    return sum(1 + _paragraph_count(node.get("items") or []) for node in nodes or [])


def _renamed(node: Any, suffix: str) -> Any:
    node = copy.deepcopy(node)
    stack = [node]
    while stack:
        item = stack.pop()
        if "id" in item:
            item["id"] = f"{item['id']}-{suffix}"
        stack.extend(item.get("items") or [])
    return node


def long_source(paragraphs: int) -> str:
    """The demo resolution with its preamble and operative paragraphs repeated (distinct
    ids) until the source holds ``paragraphs`` paragraphs, items and annexes counted."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    root = yaml.load((ROOT / "workflow" / "demo_data" / "resolution.yaml").read_text("utf-8"))
    pool = [("preamble", n) for n in root["preamble"]] + \
           [("operative", n) for n in root["operative"]]
    total = sum(_paragraph_count(root.get(key)) for key in ("preamble", "operative"))
    for annex in root.get("annexes") or []:
        total += _paragraph_count(annex.get("paragraphs") or annex.get("operative") or [])
    round_ = 1
    while total < paragraphs:
        for key, node in pool:
            size = _paragraph_count([node])
            if total + size > paragraphs:
                continue
            root[key].append(_renamed(node, f"r{round_}"))
            total += size
        round_ += 1
        if all(total + _paragraph_count([n]) > paragraphs for _, n in pool):
            break
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def make_workspace(root: Path) -> Path:
    from make_workspace import init_group

    init_group(root)
    return root


def store(template_ws: Path, work: Path, source: Path, runs: int) -> list[Figure]:
    env = bench_env()
    floor = work / "floor.py"
    floor.write_text(FLOOR, "utf-8")
    ours: list[tuple[float, float]] = []
    base: list[tuple[float, float]] = []
    for i in range(runs + 1):
        ws = work / f"ws-new-{i}"
        shutil.copytree(template_ws, ws)
        result = timed_run([RESOLUTIONS, "--workspace", str(ws), "--as", "ivanova", "new",
                            str(source)], env=env)
        db = work / f"floor-{i}.db"
        shutil.copy(next(ws.glob(".resolutions/*.db")), db) if list(
            ws.glob(".resolutions/*.db")) else None
        floor_result = timed_run([PYTHON, str(floor), str(source), str(db)], env=env)
        if i:  # the first round warms the page cache
            ours.append(result)
            base.append(floor_result)
    cpu = median([c for _, c in ours]), median([c for _, c in base])
    wall = median([w for w, _ in ours]), median([w for w, _ in base])
    return [
        Figure("long", "cold new (1,000 paragraphs), CPU", cpu[0],
               baseline="ruamel load + sqlite3 insert", baseline_value=cpu[1],
               target=STORE_TARGET, note=f"wall {wall[0]:.0f} vs {wall[1]:.0f} ms; "
               f"median of {runs}"),
    ]


def render(ws: Path, runs: int) -> list[Figure]:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from templates.pdf.printing import Job, print_pdf
    from templates.pdf.render import Renderer
    from workflow.app import App
    from workflow.documents.views import document_view
    from workflow.store.texts import load_version

    app = App.open(ws, "ivanova")
    renderer = Renderer()
    phases: dict[str, list[float]] = {"view": [], "html": [], "print": []}

    def ours() -> tuple[str, float]:
        started = time.perf_counter()
        with app.read() as session:
            row = app.resolution(session, "1")
            ver = app.version(session, row)
            model = load_version(session, ver)
            view = document_view(app, session, row, ver.number, model, stage="draft",
                                 languages=["ru", "zh", "en"], layout="parallel")
        t1 = time.perf_counter()
        html = renderer.html(view)
        t2 = time.perf_counter()
        renderer.pdf(view)
        t3 = time.perf_counter()
        phases["view"].append((t1 - started) * 1000)
        phases["html"].append((t2 - t1) * 1000)
        phases["print"].append((t3 - t2) * 1000)
        return html, (t1 - started + t3 - t2) * 1000  # renderer.pdf builds the HTML itself

    bare_fonts = FontConfiguration()

    def bare(html: str) -> float:
        started = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf(font_config=bare_fonts)
        return (time.perf_counter() - started) * 1000

    html, _ = ours()
    bare(html)
    for values in phases.values():
        values.clear()
    a, b = [], []
    for _ in range(runs):
        html, took = ours()
        a.append(took)
        b.append(bare(html))
    # where the bare print's time goes: layout (render) against writing the PDF
    started = time.perf_counter()
    document = weasyprint.HTML(string=html).render(font_config=bare_fonts)
    layout = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    document.write_pdf()
    write = (time.perf_counter() - started) * 1000
    del Job, print_pdf
    app.db.dispose()
    note = (f"{len(document.pages)} pages; view {median(phases['view']):.0f} ms, HTML "
            f"{median(phases['html']):.0f} ms, print {median(phases['print']):.0f} ms; bare: "
            f"layout {layout:.0f} ms, PDF writing {write:.0f} ms; median of {runs}")
    return [Figure("long", "draft PDF (1,000 paragraphs, ru, zh, en), warm", median(a),
                   baseline="bare WeasyPrint, same HTML", baseline_value=median(b),
                   target=RENDER_TARGET, note=note)]


def dossier_document(ws: Path, runs: int) -> list[Figure]:
    """One dossier document as the export's render worker prints it (``render_job``: the
    archival PDF/A-3b draft with the version YAML and the audit JSON embedded, into the
    store) against bare WeasyPrint printing the same HTML as PDF/A-3b with the same two
    files attached, in one warm process, taking turns (the demo resolution, number 2)."""
    import base64

    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from templates.pdf.render import render_html
    from workflow.app import App
    from workflow.documents.views import document_view
    from workflow.dossier.plan import Job
    from workflow.dossier.render import attachments_for, render_job
    from workflow.drafting.resolutions import new_resolution
    from workflow.store.texts import load_version

    app = App.open(ws, "ivanova")
    demo = ROOT / "workflow" / "demo_data" / "resolution.yaml"
    new_resolution(app, demo.read_text("utf-8"), str(demo))
    with app.read() as session:
        row = app.resolution(session, "2")
        ver = app.version(session, row)
        model = load_version(session, ver)
        view = document_view(app, session, row, ver.number, model, stage="draft",
                             languages=list(model.languages), layout="parallel")
        files = attachments_for(session, row, ver.number)
        job = Job(row.id, ver.number, "draft", "pdf", attach=True)  # type: ignore[arg-type]
    html = render_html(view)
    urls = [(f"data:{mime};base64,{base64.b64encode(data).decode()}", name)
            for name, data, mime in files]
    fonts = FontConfiguration()

    def ours() -> float:
        started = time.perf_counter()
        _, _, rows = render_job(job, app)
        assert rows, "the document came from the cache"
        return (time.perf_counter() - started) * 1000

    def bare() -> float:
        started = time.perf_counter()
        attached = [weasyprint.Attachment(url=url, name=name) for url, name in urls]
        weasyprint.HTML(string=html).write_pdf(font_config=fonts, pdf_variant="pdf/a-3b",
                                               attachments=attached)
        return (time.perf_counter() - started) * 1000

    for _ in range(2):
        ours()
        bare()
    a, b = [], []
    for _ in range(runs):
        a.append(ours())
        b.append(bare())
    app.db.dispose()
    return [Figure("dossier", "one document of an export (render_job), warm", median(a),
                   baseline="bare warm WeasyPrint, same HTML, PDF/A-3b",
                   baseline_value=median(b), target=DOSSIER_TARGET,
                   note=f"demo draft, ru, zh, en; median of {runs}")]


def run(runs: int = 3, render_runs: int = 2, paragraphs: int = 1000, dossier_runs: int = 7,
        parts: tuple[str, ...] = ("render", "dossier")) -> list[Figure]:
    """The store figure always; ``parts`` chooses the others."""
    OUT.mkdir(parents=True, exist_ok=True)
    refresh_bytecode()
    with tempfile.TemporaryDirectory(prefix="long-", dir=OUT) as tmp:
        work = Path(tmp)
        source = work / "long.yaml"
        source.write_text(long_source(paragraphs), "utf-8")
        template_ws = make_workspace(work / "template")
        figures = store(template_ws, work, source, runs)
        ws = work / f"ws-new-{runs}"
        if "render" in parts:
            figures += render(ws, render_runs)
        if "dossier" in parts:
            figures += dossier_document(ws, dossier_runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--render-runs", type=int, default=2)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--dossier-runs", type=int, default=7)
    parser.add_argument("--parts", default="render,dossier",
                        help="besides storing: render, dossier (comma-separated)")
    args = parser.parse_args()
    figures = run(args.runs, args.render_runs, args.paragraphs, args.dossier_runs,
                  tuple(args.parts.split(",")))
    print_figures(figures)
    save("long_text", figures)


if __name__ == "__main__":
    main()
