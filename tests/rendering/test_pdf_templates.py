"""Templates as data: the hash a render cache keys on, workspace overrides, the sandbox,
golden text of the draft, and lazy imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from templates import jinja
from templates.pdf.render import PDF_STAGES, render_html, template_files, template_hash
from tests.rendering.conftest import GOLDEN, fold

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_draft_text_matches_golden(make_view, render, lang):
    """One line per page, whitespace folded. Regenerate with
    ``UPDATE_GOLDEN=1 pytest tests/rendering -k golden`` and review the diff."""
    pages = render(make_view("draft", [lang])).pages()
    text = "".join(fold(page) + "\n" for page in pages)
    golden = GOLDEN / f"draft-{lang}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"{golden.name} missing: run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")


def test_template_hash_is_stable_and_depends_on_stage_and_layout():
    first = template_hash("draft", "single")
    assert first == template_hash("draft", "single")
    assert len(first) == 64
    hashes = {template_hash(stage, layout) for stage in PDF_STAGES
              for layout in ("single", "parallel")}
    assert len(hashes) == 2 * len(PDF_STAGES)


def test_template_files_follow_extends_includes_and_stylesheets():
    files = template_files("audit-report", "parallel")
    assert files == sorted(["css/audit-report.css", "css/base.css", "css/languages.css",
                            "css/parallel.css",
                            "html/audit-report.html", "html/base.html", "html/events.html",
                            "html/macros.html"])
    assert "css/review.css" in template_files("review", "single")


def test_override_directory_wins_and_changes_the_hash(tmp_path: Path, make_view):
    before = template_hash("draft", "single", tmp_path)
    assert before == template_hash("draft", "single")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "base.css").write_text(
        jinja.read_file("css/base.css").decode() + "\n.title { color: #123456; }\n")
    assert template_hash("draft", "single", tmp_path) != before
    assert template_hash("matrix", "single", tmp_path) != template_hash("matrix", "single")
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "draft.html").write_text(
        '{% extends "html/base.html" %}{% block content %}'
        '<p class="custom">Workspace text for {{ view.symbol }}</p>{% endblock %}')
    html = render_html(make_view("draft", ["en"]), template_dir=tmp_path)
    assert '<p class="custom">Workspace text for RCWG/RES/2024/1</p>' in html
    assert "#123456" in html
    assert "Workspace" not in render_html(make_view("draft", ["en"]))


def test_references_are_parsed_once_per_content_and_follow_edits(tmp_path: Path) -> None:
    """The references of a template are cached by its bytes: an edited override that names
    another template is followed at once (same path, new bytes), and hashing again parses
    nothing new."""
    (tmp_path / "html").mkdir()
    draft = tmp_path / "html" / "draft.html"
    draft.write_text('{% extends "html/base.html" %}{% block content %}{% endblock %}')
    assert "html/events.html" not in template_files("draft", "single", tmp_path)
    first = template_hash("draft", "single", tmp_path)
    draft.write_text('{% extends "html/base.html" %}{% block content %}'
                     '{% include "html/events.html" %}{% endblock %}')
    assert "html/events.html" in template_files("draft", "single", tmp_path)
    second = template_hash("draft", "single", tmp_path)
    assert second != first
    parsed = jinja._references.cache_info().misses
    assert template_hash("draft", "single", tmp_path) == second
    assert jinja._references.cache_info().misses == parsed


def test_override_templates_run_in_the_sandbox(tmp_path: Path, make_view):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "draft.html").write_text(
        "{{ view.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        render_html(make_view("draft", ["en"]), template_dir=tmp_path)
    (tmp_path / "html" / "draft.html").write_text('{% include "../../etc/passwd" %}')
    with pytest.raises(Exception, match="passwd"):
        render_html(make_view("draft", ["en"]), template_dir=tmp_path)


def test_environment_is_sandboxed_with_autoescape():
    from jinja2.sandbox import SandboxedEnvironment

    env = jinja.environment()
    assert isinstance(env, SandboxedEnvironment)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert "html/base.html" in env.loader.list_templates()


def test_importing_the_renderer_does_not_import_weasyprint():
    code = ("import sys, templates.pdf.render, templates.jinja; "
            "assert 'weasyprint' not in sys.modules, 'weasyprint imported'")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_renderer_reuses_its_font_configuration(make_view):
    from templates.pdf.render import Renderer

    renderer = Renderer()
    one = renderer.pdf(make_view("draft", ["ru"]))
    config = renderer._font_config
    two = renderer.pdf(make_view("draft", ["ru"]))
    assert renderer._font_config is config
    assert one == two          # deterministic output for the same view
