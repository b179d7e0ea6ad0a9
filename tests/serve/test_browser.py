"""`kamflow serve` in Debian's Chromium (Playwright, never a downloaded browser): live updates,
the error banner, findings, the editor pane, subprocess links, and labels that try to be code."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.serve.conftest import TWO_STEPS, wait_until

CHART_TEXT = "() => Array.from(document.querySelectorAll('#chart svg text')).map(t => t.textContent).join(' ')"


def open_chart(page, server, relative: str, **query):
    page.goto(server.page(relative, **query))
    page.wait_for_selector("#chart svg")
    return page


def chart_text(page) -> str:
    return page.evaluate(CHART_TEXT)


def wait_for(page, expression: str, timeout: float = 3.0) -> None:
    """Poll a JavaScript function from Python: the page's CSP (no eval) stops wait_for_function."""
    assert wait_until(lambda: page.evaluate(expression), timeout=timeout), f"not true within {timeout} s: {expression}"


def shot(page, name: str) -> None:
    """Screenshots for people: always into the test's temporary folder, and into the folder named by
    KAMFLOW_SCREENSHOTS (docs/img for the README: serve.png) when that is set."""
    folder = os.environ.get("KAMFLOW_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def test_a_save_on_disk_changes_the_chart_within_a_second_keeping_the_zoom(page, server):
    server.write("live.yaml", TWO_STEPS.format(id="live", title="Live", label="Alpha version"))
    open_chart(page, server, "live.yaml")
    assert "Alpha version" in chart_text(page)
    page.click("#zoom-in")
    zoom = page.eval_on_selector("#chart", "e => e.style.transform")
    time.sleep(0.2)  # the watcher must see a second change as a change
    server.write("live.yaml", TWO_STEPS.format(id="live", title="Live", label="Beta version"))
    started = time.monotonic()
    assert wait_until(lambda: "Beta version" in chart_text(page), timeout=3.0)
    assert time.monotonic() - started < 1.0
    assert page.eval_on_selector("#chart", "e => e.style.transform") == zoom
    assert page.problems == []


def test_broken_yaml_shows_the_position_and_keeps_the_last_chart_greyed(page, server):
    good = TWO_STEPS.format(id="breaks", title="Breaks", label="Still here")
    server.write("breaks.yaml", good)
    open_chart(page, server, "breaks.yaml")
    server.write("breaks.yaml", good.replace("next: work}", "next: work"))  # an unclosed flow mapping
    page.wait_for_selector("#banner:not([hidden])", timeout=3000)
    banner = page.inner_text("#banner")
    assert "breaks.yaml:" in banner and "error:" in banner
    line = banner.split("breaks.yaml:")[1].split(":")[0]
    assert line.isdigit() and int(line) >= 5
    assert "stale" in page.get_attribute("#chart", "class") and "Still here" in chart_text(page)
    shot(page, "serve-error.png")
    server.write("breaks.yaml", good)
    page.wait_for_selector("#banner", state="hidden", timeout=3000)
    assert "stale" not in page.get_attribute("#chart", "class")


DEAD_END = """\
kamflow: 1
id: deadend
title: Dead end
lanes:
  - {id: sales, label: Sales}
  - {id: ops, label: Operations}
steps:
  - {id: begin, type: start, label: Order in, lane: sales, next: check}
  - {id: check, type: decision, label: In stock?, lane: ops, branches: {"Yes": ship, "No": wait_stock}}
  - {id: wait_stock, label: Wait for stock, lane: ops, owner: Warehouse}
  - {id: ship, label: Ship the order, lane: ops, owner: Warehouse, duration: 2d, next: done}
  - {id: done, type: end, label: Delivered, lane: sales}
"""


def test_clicking_a_finding_highlights_its_step(page, server):
    server.write("deadend.yaml", DEAD_END)
    open_chart(page, server, "deadend.yaml")
    item = page.locator("#findings li", has_text="has no way out").first
    assert item.locator(".pos").inner_text() == "10:5"
    item.click()
    assert page.eval_on_selector("#step-wait_stock", "e => e.classList.contains('kf-highlight')")
    assert page.locator(".kf-highlight").count() == 1
    page.hover("#step-ship")
    card = page.inner_text("#card")
    assert "Ship the order" in card and "Warehouse" in card and "2d" in card and "deadend.yaml:11" in card
    assert page.problems == []


def test_edit_and_save_in_the_pane_and_a_stale_save_is_refused(page, server):
    path = server.write("edited.yaml", TWO_STEPS.format(id="edited", title="Edited", label="Before edit"))
    open_chart(page, server, "edited.yaml")
    page.click("#edit-toggle")
    wait_for(page, "() => document.getElementById('editor').value.includes('Before edit')")
    text = page.input_value("#editor")
    page.fill("#editor", text.replace("Before edit", "After edit"))
    page.click("#save")
    page.wait_for_selector("#save-status.ok")
    assert "After edit" in path.read_text()
    assert wait_until(lambda: "After edit" in chart_text(page), timeout=3.0)
    # someone else saves the file; the pane still holds its own text
    page.fill("#editor", page.input_value("#editor").replace("After edit", "Mine"))
    time.sleep(0.05)
    path.write_text(path.read_text().replace("After edit", "Theirs"), encoding="utf-8")
    assert wait_until(lambda: "Theirs" in chart_text(page), timeout=3.0)
    page.click("#save")
    page.wait_for_selector("#save-status.refused")
    assert "changed on disk" in page.inner_text("#save-status")
    assert "Theirs" in path.read_text() and "Mine" not in path.read_text()
    shot(page, "serve-editor.png")


def test_a_subprocess_step_opens_its_process_page(page, server):
    server.write("child.yaml", TWO_STEPS.format(id="child", title="Child process", label="Child work"))
    server.write("parent.yaml", """\
kamflow: 1
id: parent
title: Parent
steps:
  - {id: begin, type: start, label: Begin, next: call}
  - {id: call, type: subprocess, process: child, label: Run the child, next: done}
  - {id: done, type: end, label: Done}
""")
    open_chart(page, server, "parent.yaml", number="1")
    page.click("#step-call")
    page.wait_for_url("**/p/child.yaml?**")
    page.wait_for_selector("#chart svg")
    assert "Child work" in chart_text(page) and "number=1" in page.url


def test_toolbar_and_downloads(page, server):
    server.write("tools.yaml", DEAD_END.replace("id: deadend", "id: tools"))
    open_chart(page, server, "tools.yaml")
    before = page.inner_html("#chart")
    page.check("#opt-legend")
    wait_for(page, "() => document.querySelector('#chart').innerHTML.includes('legend')")
    assert "legend=1" in page.url and page.inner_html("#chart") != before
    page.select_option("#opt-direction", "LR")
    wait_for(page, "() => location.search.includes('direction=LR')")
    page.click("#downloads summary")
    links = page.locator("#download-links a")
    assert {links.nth(i).get_attribute("data-format") for i in range(links.count())} == {"svg", "pdf", "png", "pptx", "html", "docx"}
    with page.expect_download() as info:
        page.click("#download-links a[data-format=pdf]")
    download = info.value
    assert download.suggested_filename == "tools.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"


HOSTILE = """\
kamflow: 1
id: hostile
title: "<img src=x onerror=alert('title')>"
steps:
  - {id: begin, type: start, label: "<script>alert('label')</script>", next: work}
  - id: work
    label: "\\" onmouseover=\\"alert('attr')\\" x=\\""
    owner: "<b onclick=alert('owner')>boss</b>"
    link: "javascript:alert('link')"
    next: done
  - {id: done, type: end, label: "<a href=javascript:alert('a')>click</a>"}
"""


def test_labels_that_look_like_code_stay_text(page, server):
    server.write("hostile.yaml", HOSTILE)
    open_chart(page, server, "hostile.yaml")
    for step in ("begin", "work", "done"):
        page.hover(f"#step-{step}")
        page.click(f"#step-{step}")
    page.click("#edit-toggle")
    wait_for(page, "() => document.getElementById('editor').value.includes('onerror')")
    page.goto(server.page("").replace("/p/?", "/?"))
    page.wait_for_selector("#processes a")
    page.wait_for_timeout(200)
    assert page.problems == []
    page.goto(server.page("hostile.yaml"))
    page.wait_for_selector("#chart svg")
    assert page.locator("#chart script, #chart img, #chart [onmouseover], #chart [onclick], #card b").count() == 0
    assert page.locator("#chart a[href^='javascript'], #chart a[*|href^='javascript']").count() == 0
    assert "<script>alert('label')</script>" in "".join(chart_text(page).split())  # wrapped over lines
    assert page.inner_text("#title") == "<img src=x onerror=alert('title')>"
    page.hover("#step-work")
    assert "<b onclick=alert('owner')>boss</b>" in page.inner_text("#card")
    assert page.problems == []


def test_the_index_lists_processes_and_updates_live(page, server):
    page.goto(server.page("").replace("/p/?", "/?"))
    page.wait_for_selector("#processes a")
    assert page.locator("#processes a", has_text="hello.yaml").count() == 1
    server.write("appears.yaml", TWO_STEPS.format(id="appears", title="Appears later", label="New"))
    page.wait_for_selector("#processes a:text('appears.yaml')", timeout=3000)
    shot(page, "serve-index.png")
    page.click("#processes a:text('hello.yaml')")
    page.wait_for_selector("#chart svg")
    assert "Say hello" in chart_text(page)


def test_a_client_sized_variant_with_ghosts_and_findings(page, server):
    """The README's screenshot: the as-is example against the bundled KAM reference."""
    source = Path(__file__).resolve().parents[2] / "examples" / "kam-as-is.yaml"
    path = server.write("clients/kam-as-is.yaml", source.read_text(encoding="utf-8"))
    open_chart(page, server, "clients/kam-as-is.yaml")
    items = page.locator("#findings li")
    assert items.count() == 9 and page.inner_text("#counts").startswith("9 errors")
    missing = page.locator("#findings li", has_text="'map_dmu'")
    assert missing.locator(".pos").inner_text() == "8:1"
    missing.click()
    assert page.eval_on_selector("#ghost-map_dmu", "e => e.classList.contains('kf-highlight')")
    step = path.read_text().splitlines().index("  - id: select_key") + 1
    page.hover("#step-select_key")
    assert f"clients/kam-as-is.yaml:{step}" in page.inner_text("#card")
    shot(page, "serve.png")
    started = time.monotonic()
    path.write_text(path.read_text().replace("title: Key Account Management (as-is)", "title: KAM as run today"), encoding="utf-8")
    assert wait_until(lambda: "KAM as run today" in chart_text(page), timeout=5.0)
    print(f"client-sized update on screen after {time.monotonic() - started:.2f} s")
