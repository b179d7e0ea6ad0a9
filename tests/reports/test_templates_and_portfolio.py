"""A user's own template, and the portfolio site with drill-down links."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import kamflow

from tests.conftest import PROCESSES, ROOT, SIMPLE
from tests.reports.html import Page


def test_custom_template_gets_the_documented_context(run_cli, write, tmp_path):
    template = tmp_path / "brand.html.j2"
    template.write_text(
        "<h1>ACME · {{ process.title }}</h1>\n"
        "{% for step in steps %}<p class=step>{{ step.number }} {{ step.label }} [{{ step.lane }}]</p>{% endfor %}\n"
        "<p class=check>{{ check.status }} {{ check.errors }}</p>\n",
        encoding="utf-8",
    )
    process = write(SIMPLE.replace("label: Do the work", "label: Do <the> work"))
    out = tmp_path / "r.html"
    result = run_cli("report", process, "--template", template, "-o", out)
    assert result.exit_code == 0, result.stderr
    page = Page(out.read_text(encoding="utf-8"))
    assert page.h1 == "ACME · Simple"
    steps = [t for t in page.text if t[:1].isdigit()]
    assert steps == ["1 Start [Team A]", "2 Do <the> work [Team A]", "3 Done? [Team B]", "4 Finished [Team B]"]
    assert "Do &lt;the&gt; work" in out.read_text(), "autoescape is on for HTML"


def test_markdown_template_is_not_html_escaped(run_cli, write, tmp_path):
    template = tmp_path / "brief.md.j2"
    template.write_text("# {{ process.title }}\n{{ steps[1].label }}\n", encoding="utf-8")
    out = tmp_path / "brief.md"
    result = run_cli("report", write(SIMPLE.replace("label: Do the work", "label: Q&A")), "--template", template, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == "# Simple\nQ&A\n"
    assert (tmp_path / "brief.svg").is_file()


def test_template_can_extend_the_builtin_one(run_cli, write, tmp_path):
    template = tmp_path / "ext.html.j2"
    template.write_text('{% extends "kamflow/report.html.j2" %}\n', encoding="utf-8")
    out = tmp_path / "ext.html"
    assert run_cli("report", write(SIMPLE), "--template", template, "-o", out).exit_code == 0
    assert Page(out.read_text()).h1 == "Simple"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("<h1>{{ process.title }}</h1>\n<p>{{ process.client }}</p>\n", 2, "undefined in template: 'dict object' has no attribute 'client'"),
        ("ok\n\n{{ no_such_thing }}\n", 3, "undefined in template: 'no_such_thing' is undefined"),
        ("{% for s in steps %}\n{{ s.label }\n{% endfor %}\n", 2, "template syntax: "),
        ("{{ steps | frobnicate }}\n", 1, "template syntax: No filter named 'frobnicate'."),
    ],
)
def test_template_errors_name_the_line(run_cli, write, tmp_path, text, line, message):
    template = tmp_path / "bad.html.j2"
    template.write_text(text, encoding="utf-8")
    out = tmp_path / "o" / "r.html"
    result = run_cli("report", write(SIMPLE), "--template", template, "-o", out)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{template}:{line}: error: {message}")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert not out.parent.exists()


def test_example_template_in_docs_works(run_cli, tmp_path):
    out = tmp_path / "kam.html"
    result = run_cli("report", PROCESSES / "kam.yaml", "--template", ROOT / "docs" / "examples" / "branded-report.html.j2", "-o", out)
    assert result.exit_code == 0, result.stderr
    page = Page(out.read_text(encoding="utf-8"))
    assert page.h1 == "Key Account Management Process"
    assert len(page.table("steps")["rows"]) == 35


@pytest.fixture
def portfolio_dir(tmp_path):
    src = tmp_path / "processes"
    (src / "planning").mkdir(parents=True)
    for name in ("kam", "strategic-account-review", "billing"):
        shutil.copy(PROCESSES / f"{name}.yaml", src / f"{name}.yaml")
    # a subprocess in a subfolder, referenced by path: resolution is the workspace's, not a name guess
    shutil.copy(PROCESSES / "account-planning.yaml", src / "planning" / "account-planning.yaml")
    kam = (src / "kam.yaml").read_text(encoding="utf-8").replace("process: account-planning", "process: planning/account-planning.yaml")
    (src / "kam.yaml").write_text(kam, encoding="utf-8")
    return src


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_portfolio_links_resolve_and_drill_down(run_cli, portfolio_dir, tmp_path, fmt):
    site = tmp_path / "site"
    result = run_cli("report", portfolio_dir, "-o", site, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    pages = sorted(p.name for p in site.glob(f"*.{fmt}"))
    assert pages == [f"{n}.{fmt}" for n in ("account-planning", "billing", "index", "kam", "strategic-account-review")]
    links = {page: _links(site / page, fmt) for page in pages}
    for page, hrefs in links.items():
        for href in hrefs:
            assert (site / urlsplit(href).path).is_file(), f"{page} links to missing {href}"
    assert set(links[f"index.{fmt}"]) >= {p for p in pages if p != f"index.{fmt}"}
    assert f"account-planning.{fmt}" in links[f"kam.{fmt}"]
    assert f"strategic-account-review.{fmt}" in links[f"kam.{fmt}"]
    assert f"index.{fmt}" in links[f"billing.{fmt}"]
    if fmt == "html":
        page = Page((site / "kam.html").read_text())
        drill = {a["href"] for a in page.attrs("a") if a.get("class") == "drill-down"}
        assert drill == {"account-planning.html", "strategic-account-review.html"}
        target = Page((site / "account-planning.html").read_text())
        assert target.h1 == kamflow.load(PROCESSES / "account-planning.yaml").title
        chart_links = {a["href"] for a in page.attrs("a") if a.get("href", "").endswith(".html") and "xlink:href" in a}
        assert chart_links == drill, "the chart's subprocess nodes lead to the same pages"
        index = Page((site / "index.html").read_text())
        rows = index.table("portfolio")["rows"]
        kam_row = next(r for r in rows if r[0].startswith("Key Account Management Process"))
        assert kam_row[2:5] == ["35", "6", "ok"]
    else:
        assert (site / "kam.svg").is_file() and (site / "account-planning.svg").is_file()


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_portfolio_charts_link_only_to_pages_it_writes(run_cli, tmp_path, fmt):
    # kam calls strategic-account-review, which resolves to the bundled library but is not in the set
    src = tmp_path / "procs"
    src.mkdir()
    for name in ("kam", "account-planning"):
        shutil.copy(PROCESSES / f"{name}.yaml", src / f"{name}.yaml")
    site = tmp_path / "site"
    result = run_cli("report", src, "-o", site, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    charts = [site / "kam.svg"] if fmt == "md" else []
    texts = [p.read_text(encoding="utf-8") for p in sorted(site.glob(f"*.{fmt}")) + charts]
    found = {h for text in texts for h in re.findall(r'(?:href="|\]\()([^")#\s]+)', text)}
    hrefs = {h for h in found if not h.startswith(("http:", "https:", "mailto:"))}
    assert "account-planning." + fmt in hrefs, "the call inside the set is still linked"
    missing = sorted(h for h in hrefs if not (site / urlsplit(h).path).is_file())
    assert missing == [], f"links to files never written: {missing}"


def test_portfolio_rejects_two_processes_with_one_id(run_cli, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.yaml").write_text(SIMPLE, encoding="utf-8")
    (tmp_path / "b" / "y.yaml").write_text(SIMPLE, encoding="utf-8")
    result = run_cli("report", tmp_path / "a", tmp_path / "b", "-o", tmp_path / "site")
    assert result.exit_code == 2
    assert "two processes have the id 'simple'" in result.stderr


def _links(path: Path, fmt: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if fmt == "html":
        return [a["href"] for a in Page(text).attrs("a") if "href" in a and not a["href"].startswith(("http:", "https:"))]
    import re

    return [href for href in re.findall(r"\]\(([^)\s]+)\)", text) if not href.endswith(".svg")]


def test_output_folder_or_file(run_cli, write, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    single = run_cli("report", write(SIMPLE), "-o", folder)
    assert single.exit_code == 0 and single.stdout.split() == [str(folder / "simple.html")]
    taken = tmp_path / "taken.html"
    taken.write_text("x")
    many = run_cli("report", PROCESSES / "kam.yaml", PROCESSES / "billing.yaml", "-o", taken)
    assert many.exit_code == 2 and "needs a folder for -o" in many.stderr and taken.read_text() == "x"
