"""Rendering: ``resolutions render --format pdf`` against bare WeasyPrint on the same HTML.

- cold: a one-off ``resolutions render 1 --stage draft --format pdf`` (fresh process, a
  fresh copy of the workspace so the render cache misses; with its printer process, and in
  one process for comparison) vs a fresh
  ``python -c "weasyprint.HTML(filename=…).write_pdf(…)"`` on the HTML that
  ``templates.pdf.render.render_html`` produced for the same view; target ≤ 1.15×;
- warm: per-document cost inside one process (``templates.pdf.render.Renderer``, fonts warm,
  HTML rendered from the view each time) vs bare warm WeasyPrint (one
  ``FontConfiguration``, the HTML string); target ≤ 1.15×;
- the cache hit: the same render command when the artefact is already stored;
- the same draft as DOCX through LibreOffice headless (``soffice --convert-to pdf``), when
  installed, for comparison.

The document is the demo resolution (ru, zh, en in parallel columns, four pages or so).

    python bench/render.py [--runs 7] [--warm 8]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

TARGET = 1.15
STAGE = ["--stage", "draft", "--lang", "ru,zh,en"]


def make_workspace(root: Path) -> Path:
    """A workspace with the demo members and the demo resolution as number 1."""
    from make_workspace import init_group

    from workflow.app import App
    from workflow.drafting.resolutions import new_resolution

    init_group(root)
    app = App.open(root, "ivanova")
    source = ROOT / "workflow" / "demo_data" / "resolution.yaml"
    new_resolution(app, source.read_text("utf-8"), str(source))
    app.db.dispose()
    return root


def view_and_html(root: Path):  # type: ignore[no-untyped-def]
    from templates.pdf.render import render_html
    from workflow.app import App
    from workflow.documents.views import document_view
    from workflow.store.texts import load_version

    app = App.open(root, "ivanova")
    with app.read() as session:
        row = app.resolution(session, "1")
        ver = app.version(session, row)
        model = load_version(session, ver)
        view = document_view(app, session, row, ver.number, model, stage="draft",
                             languages=["ru", "zh", "en"], layout="parallel")
    app.db.dispose()
    return view, render_html(view)


def pages(pdf: Path) -> int:
    try:
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        return int(next(x.split()[-1] for x in out.splitlines() if x.startswith("Pages:")))
    except (OSError, StopIteration, ValueError):
        return 0


def cold(template_ws: Path, work: Path, runs: int) -> list[Figure]:
    """The one-off render as a user runs it (its printer process forked at the start, see
    templates/pdf/prewarm.py), the same in one process (``RESOLUTIONS_PREWARM=0``), and bare
    WeasyPrint, taking turns; wall time is the figure (the printer uses the second core),
    CPU time is shown beside it."""
    env = bench_env()
    alone = bench_env(RESOLUTIONS_PREWARM="0")
    view_html = work / "draft.html"
    bare_pdf = work / "bare.pdf"
    bare = [PYTHON, "-c", "import sys, weasyprint; "
            "weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])",
            str(view_html), str(bare_pdf)]
    times: dict[str, list[tuple[float, float]]] = {"ours": [], "alone": [], "bare": []}
    for i in range(runs + 1):
        for name, environment in (("ours", env), ("alone", alone)):
            ws = work / f"ws-{name}-{i}"
            shutil.copytree(template_ws, ws)
            cmd = [RESOLUTIONS, "--workspace", str(ws), "render", "1", *STAGE, "--format",
                   "pdf", "-o", str(work / f"out-{name}-{i}")]
            result = timed_run(cmd, env=environment)
            if i:  # the first round warms the page cache
                times[name].append(result)
            last = ws
        result = timed_run(bare, env=env)
        if i:
            times["bare"].append(result)
    hit = [timed_run([RESOLUTIONS, "--workspace", str(last), "render", "1", *STAGE,
                      "--format", "pdf", "-o", str(work / "out-hit")], env=env)[0]
           for _ in range(runs)]
    wall = {k: median([w for w, _ in v]) for k, v in times.items()}
    cpu = {k: median([c for _, c in v]) for k, v in times.items()}
    ours_pdf = next((work / f"out-ours-{runs}").glob("*.pdf"))
    note = (f"{pages(ours_pdf)} pages, ru, zh, en in parallel; CPU {cpu['ours']:.0f} ms "
            f"(both processes) against {cpu['bare']:.0f} ms")
    return [
        Figure("render", "cold one-off render --format pdf, wall", wall["ours"],
               baseline="bare WeasyPrint (fresh process)", baseline_value=wall["bare"],
               target=TARGET, note=note),
        Figure("render", "the same in one process (RESOLUTIONS_PREWARM=0), wall", wall["alone"],
               baseline="bare WeasyPrint (fresh process)", baseline_value=wall["bare"],
               note=f"CPU {cpu['alone']:.0f} ms"),
        Figure("render", "cache hit (same render again)", median(hit),
               baseline="cold render", baseline_value=wall["ours"]),
    ]


def warm(view, html: str, count: int) -> list[Figure]:  # type: ignore[no-untyped-def]
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from templates.pdf.render import Renderer

    renderer = Renderer()
    fonts = FontConfiguration()

    def ours() -> None:
        renderer.pdf(view)

    def bare() -> None:
        weasyprint.HTML(string=html).write_pdf(font_config=fonts)

    for _ in range(2):
        ours()
        bare()
    a, b = [], []
    for _ in range(count):
        t = time.perf_counter()
        ours()
        a.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bare()
        b.append((time.perf_counter() - t) * 1000)
    return [Figure("render", "warm per document in a batch (Renderer)", median(a),
                   baseline="bare warm WeasyPrint", baseline_value=median(b), target=TARGET,
                   note=f"median of {count}")]


def libreoffice(template_ws: Path, work: Path, runs: int) -> list[Figure]:
    soffice = shutil.which("soffice")
    if soffice is None:
        return [Figure("render", "LibreOffice DOCX→PDF", 0.0, note="soffice not installed")]
    ws = work / "ws-docx"
    shutil.copytree(template_ws, ws)
    subprocess.run([RESOLUTIONS, "--workspace", str(ws), "render", "1", *STAGE, "--format",
                    "docx", "-o", str(work / "docx")], check=True, capture_output=True,
                   env=bench_env())
    docx = next((work / "docx").glob("*.docx"))
    times = []
    for i in range(max(2, runs // 2)):
        profile = work / f"lo-profile-{i}"  # a fresh profile: a truly cold conversion
        cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
               "--convert-to", "pdf", "--outdir", str(work / "lo"), str(docx)]
        times.append(timed_run(cmd, env=bench_env())[0])
    return [Figure("render", "LibreOffice headless DOCX→PDF (cold, fresh profile)",
                   median(times), note="for comparison; same draft as DOCX")]


def run(runs: int = 7, warm_count: int = 8) -> list[Figure]:
    OUT.mkdir(parents=True, exist_ok=True)
    refresh_bytecode()
    with tempfile.TemporaryDirectory(prefix="render-", dir=OUT) as tmp:
        work = Path(tmp)
        template_ws = make_workspace(work / "template")
        view, html = view_and_html(template_ws)
        (work / "draft.html").write_text(html, "utf-8")
        figures = cold(template_ws, work, runs)
        figures += warm(view, html, warm_count)
        figures += libreoffice(template_ws, work, runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warm", type=int, default=8)
    args = parser.parse_args()
    figures = run(args.runs, args.warm)
    print_figures(figures)
    save("render", figures)


if __name__ == "__main__":
    main()
