"""`kamflow serve` at the HTTP level: a real server on 127.0.0.1 (tests/serve/conftest.py), the
folder guard, and the worker pool that keeps hanging or crashing renders out of the server."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import time

import httpx
import pytest

from kamflow.serve.folder import Refused, ServedFolder
from kamflow.serve.pool import JobFailed, WorkerPool
from tests.serve.conftest import TWO_STEPS, start_server, stop_server, wait_until


def get(server, url: str, *, token: bool = True, headers: dict | None = None, **params) -> httpx.Response:
    if token:
        params["token"] = server.token
    return httpx.get(server.base + url, params=params, headers=headers or {}, timeout=30)


def save(server, body: dict, *, headers: dict | None = None) -> httpx.Response:
    sent = {"X-Kamflow-Token": server.token, "Content-Type": "application/json", **(headers or {})}
    return httpx.post(server.base + "/api/save", content=json.dumps(body), headers=sent, timeout=30)


@pytest.mark.parametrize("path", ["/", "/p/hello.yaml", "/static/app.js", "/api/index", "/api/view?path=hello.yaml", "/download?path=hello.yaml&format=svg", "/events"])
def test_every_request_needs_the_token(server, path):
    without = httpx.get(server.base + path, timeout=10)
    wrong = httpx.get(server.base + path, params={"token": server.token[:-1] + "x"}, timeout=10)
    assert (without.status_code, wrong.status_code) == (403, 403)
    assert "token" in without.text and "Say hello" not in without.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.evil.example", "192.168.1.20"])
def test_a_foreign_host_header_is_refused_even_with_the_token(server, host):
    # DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own name as Host
    response = get(server, "/api/index", headers={"Host": host})
    assert response.status_code == 403 and "Host" in response.text


def test_loopback_names_are_served(server):
    port = server.base.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert get(server, "/api/config", headers={"Host": host}).status_code == 200


def test_responses_carry_a_strict_content_security_policy(server):
    for path in ("/", "/p/hello.yaml", "/api/index"):
        response = get(server, path)
        policy = response.headers["content-security-policy"]
        assert response.status_code == 200
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
    page = get(server, "/p/hello.yaml").text
    assert "<script>" not in page and "<script src=\"/static/app.js?token=" in page


def test_refused_without_the_token_header_or_from_another_site(server):
    path = server.write("guarded.yaml", TWO_STEPS.format(id="guarded", title="Guarded", label="Keep"))
    digest = get(server, "/api/source", path="guarded.yaml").json()["hash"]
    body = {"path": "guarded.yaml", "text": "changed", "hash": digest}
    # a cross-site form can put the token in the URL but cannot set a header
    posted = httpx.post(server.base + "/api/save", params={"token": server.token}, content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert posted.status_code == 403
    assert save(server, body, headers={"Origin": "http://evil.example"}).status_code == 403
    assert save(server, body, headers={"Content-Type": "text/plain"}).status_code == 415
    assert "Keep" in path.read_text()


@pytest.mark.parametrize("relative", ["../outside.yaml", "/etc/passwd.yaml", "sub/../../outside.yaml", ".hidden.yaml", "notes.txt", "link-out.yaml", "sub\\x.yaml"])
def test_only_process_files_inside_the_folder_are_served(server, tmp_path, relative):
    outside = server.folder.parent / "outside.yaml"
    outside.write_text(TWO_STEPS.format(id="outside", title="Secret", label="Secret"), encoding="utf-8")
    link = server.folder / "link-out.yaml"
    if not link.is_symlink():
        link.symlink_to(outside)
    for path in ("/api/source", "/api/view", "/download"):
        response = get(server, path, path=relative, format="svg")
        assert response.status_code == 403, (path, response.text)
        assert "Secret" not in response.text
    assert get(server, "/p/" + relative.lstrip("/")).status_code in (403, 404)
    assert "link-out.yaml" not in [row["path"] for row in get(server, "/api/index").json()["rows"]]


def test_the_index_lists_each_process_with_its_finding_counts(server):
    server.write("index-broken.yaml", "kamflow: 1\nid: index-broken\ntitle: Broken\nsteps:\n  - {id: go, type: start, label: Go, next: nowhere}\n  - {id: stop, type: end, label: Stop}\n")
    server.write("index-bad-yaml.yaml", "kamflow: 1\nid: [\n")
    rows = {row["path"]: row for row in get(server, "/api/index").json()["rows"]}
    assert rows["hello.yaml"]["ok"] and (rows["hello.yaml"]["errors"], rows["hello.yaml"]["warnings"]) == (0, 0)
    assert rows["index-broken.yaml"]["errors"] == 2  # unknown-target and unreachable
    bad = rows["index-bad-yaml.yaml"]
    assert bad["ok"] is False and bad["first"]["line"] >= 2 and bad["first"]["column"] >= 1


def test_the_view_has_svg_findings_with_positions_and_step_metadata(server):
    server.write("viewed.yaml", """\
kamflow: 1
id: viewed
title: Viewed
steps:
  - {id: begin, type: start, label: Begin, next: work}
  - id: work
    label: Do the work
    owner: Team lead
    kpis: [On time]
    next: nowhere
  - {id: done, type: end, label: Done}
""")
    view = get(server, "/api/view", path="viewed.yaml").json()
    assert view["ok"] and view["svg"].startswith("<?xml") and 'id="step-work"' in view["svg"]
    target = [f for f in view["findings"] if f["rule"] == "unknown-target"][0]
    assert (target["path"], target["line"], target["step"]) == ("viewed.yaml", 10, "work")
    work = view["steps"]["work"]
    assert work["metadata"]["owner"] == "Team lead" and work["metadata"]["kpis"] == ["On time"]
    assert (work["line"], work["source"]) == (6, "  - id: work")


def test_a_file_that_does_not_load_gives_positioned_errors(server):
    server.write("unloadable.yaml", "kamflow: 1\nid: unloadable\ntitle: X\nsteps:\n  - {id: a, type: start, label: A, next: b\n")
    view = get(server, "/api/view", path="unloadable.yaml").json()
    assert view["ok"] is False
    first = view["errors"][0]
    assert first["path"] == "unloadable.yaml" and first["line"] >= 5 and first["column"] > 0


def test_toolbar_options_change_the_chart_and_files_are_never_named_by_the_query(server):
    plain = get(server, "/api/view", path="hello.yaml").json()["svg"]
    numbered = get(server, "/api/view", path="hello.yaml", number="1", direction="LR").json()["svg"]
    assert plain != numbered
    for theme in ("/etc/passwd", "../outside.yaml", "nonsense"):
        response = get(server, "/api/view", path="hello.yaml", theme=theme)
        assert response.status_code == 400 and "unknown theme" in response.json()["error"]
    assert get(server, "/api/view", path="hello.yaml", theme="print").json()["ok"]
    assert get(server, "/api/view", path="hello.yaml", direction="XX").status_code == 400


@pytest.mark.parametrize("fmt, magic, media", [
    ("svg", b"<?xml", "image/svg+xml"),
    ("pdf", b"%PDF-", "application/pdf"),
    ("png", b"\x89PNG", "image/png"),
    ("html", b"<!DOCTYPE html>", "text/html"),
])
def test_downloads(server, fmt, magic, media):
    response = get(server, "/download", path="hello.yaml", format=fmt)
    assert response.status_code == 200
    assert response.content[: len(magic)].lower() == magic.lower()
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"] == f'attachment; filename="hello.{fmt}"'


def test_an_unknown_download_format_is_refused(server):
    assert get(server, "/download", path="hello.yaml", format="exe").status_code == 400


def test_save_writes_and_a_stale_save_is_refused(server):
    path = server.write("saved.yaml", TWO_STEPS.format(id="saved", title="Saved", label="First"))
    loaded = get(server, "/api/source", path="saved.yaml").json()
    new_text = loaded["text"].replace("First", "Second")
    answer = save(server, {"path": "saved.yaml", "text": new_text, "hash": loaded["hash"]})
    assert answer.status_code == 200 and path.read_text() == new_text
    # the editor still has the first hash; meanwhile someone else saved
    path.write_text(new_text.replace("Second", "Third"), encoding="utf-8")
    stale = save(server, {"path": "saved.yaml", "text": new_text.replace("Second", "Mine"), "hash": answer.json()["hash"]})
    assert stale.status_code == 409 and "changed on disk" in stale.json()["error"]
    assert "Third" in path.read_text() and "Mine" not in path.read_text()


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    (tmp_path / "one.yaml").write_text(TWO_STEPS.format(id="one", title="One", label="Only"), encoding="utf-8")
    running = start_server(tmp_path / "one.yaml")  # a file: its folder is served, the address opens its page
    assert running.url.startswith(running.base + "/p/one.yaml?token=")
    events = httpx.stream("GET", running.base + "/events", params={"token": running.token}, timeout=10)
    with events as stream:  # an open event stream must not hold the shutdown up
        assert stream.status_code == 200
        started = time.monotonic()
        code, stderr = stop_server(running)
    assert code == 0 and "stopped serving" in stderr and "Traceback" not in stderr
    assert time.monotonic() - started < 6


def test_a_busy_port_is_one_line_and_exit_2(tmp_path, run_cli):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        result = run_cli("serve", tmp_path, "--port", taken.getsockname()[1])
    assert result.exit_code == 2 and "cannot listen on 127.0.0.1" in result.stderr


def test_a_missing_path_is_one_line_and_exit_2(tmp_path, run_cli):
    result = run_cli("serve", tmp_path / "nothere")
    assert result.exit_code == 2 and result.stderr.strip().endswith("nothere: error: no such file or folder")


# --- the folder guard and the worker pool, without a server ------------------------------------------


def test_served_folder_refuses_paths_out(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.yaml").write_text("x")
    (tmp_path / "secret.yaml").write_text("secret")
    (root / "out.yaml").symlink_to(tmp_path / "secret.yaml")
    (root / "dir-out").symlink_to(tmp_path)
    folder = ServedFolder(root)
    assert folder.resolve("sub/a.yaml") == root / "sub" / "a.yaml"
    for bad in ("../secret.yaml", "/etc/x.yaml", "out.yaml", "dir-out/secret.yaml", "sub/../../secret.yaml", ".git/config.yaml", "a.txt", "", "a\x00.yaml"):
        with pytest.raises(Refused):
            folder.resolve(bad)
    assert folder.process_files() == ["sub/a.yaml"]


def test_the_served_folder_reads_with_the_size_limit(tmp_path):
    import tracemalloc

    from kamflow.errors import LoadError

    root = tmp_path / "root"
    root.mkdir()
    huge = root / "huge.yaml"
    with huge.open("wb") as stream:  # sparse: 64 MiB on paper, nothing on disk
        stream.truncate(64 * 1024 * 1024)
    folder = ServedFolder(root)
    tracemalloc.start()
    try:
        with pytest.raises(LoadError) as caught:
            folder.read("huge.yaml")
        with pytest.raises(Refused) as refused:  # grown past the limit since the editor loaded it: never overwritten
            folder.save("huge.yaml", "kamflow: 1\n", "0" * 64)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    limit = "file is 67108864 bytes, over the 5242880-byte limit (set KAMFLOW_MAX_FILE_SIZE to raise it)"
    assert caught.value.lines() == [f"huge.yaml: error: {limit}"]
    assert (refused.value.status, str(refused.value)) == (409, f"huge.yaml: {limit}; not saved")
    assert peak < 1024 * 1024, f"read {peak} bytes of a file over the limit"
    assert huge.stat().st_size == 64 * 1024 * 1024


def test_a_hanging_or_crashing_render_never_takes_the_pool_down():
    async def scenario():
        pool = WorkerPool(workers=1)
        try:
            with pytest.raises(JobFailed, match="longer than 0.5 s"):
                await pool.run(time.sleep, 30, timeout=0.5)
            assert await pool.run(pow, 2, 10, timeout=30) == 1024
            with pytest.raises(JobFailed, match="worker process stopped"):
                await pool.run(os._exit, 3, timeout=30)
            assert await pool.run(pow, 3, 3, timeout=30) == 27
            with pytest.raises(JobFailed, match="ZeroDivisionError"):
                await pool.run(divmod, 1, 0, timeout=30)
            assert await pool.run(abs, -5, timeout=30) == 5
        finally:
            pool.close()

    # in a thread of its own: Playwright's session keeps an event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()


def test_a_change_on_disk_reaches_the_event_stream(server):
    with httpx.stream("GET", server.base + "/events", params={"token": server.token}, timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        while not next(lines).startswith("event: hello"):
            pass
        server.write("evented.yaml", TWO_STEPS.format(id="evented", title="Evented", label="Now"))
        started = time.monotonic()
        while not next(lines).startswith("event: change"):
            pass
        assert time.monotonic() - started < 1.0


def test_a_change_to_the_reference_changes_its_variants_view(server):
    reference = """\
kamflow: 1
id: ref-proc
title: Reference
steps:
  - {id: begin, type: start, label: Begin, next: work, essential: true}
  - {id: work, label: Work, next: done, essential: true}
  - {id: done, type: end, label: Done, essential: true}
"""
    server.write("refs/ref-proc.yaml", reference)
    server.write("refs/variant.yaml", TWO_STEPS.format(id="variant", title="Variant", label="Work").replace("steps:", "based_on: ref-proc\nsteps:"))
    rules = lambda: [f["rule"] for f in get(server, "/api/view", path="refs/variant.yaml").json()["findings"]]  # noqa: E731
    assert rules() == []
    server.write("refs/ref-proc.yaml", reference.replace("next: done, essential: true}", "next: sign, essential: true}\n  - {id: sign, label: Sign off, next: done, essential: true}"))
    assert rules() == ["missing-essential-step"]


def test_another_host_than_loopback_is_warned_about(tmp_path, run_cli):
    import socket

    with socket.socket() as taken:  # the port is taken, so the command stops right after the warning
        taken.bind(("127.0.0.2", 0))
        taken.listen(1)
        result = run_cli("serve", tmp_path, "--host", "127.0.0.2", "--port", taken.getsockname()[1])
    assert result.stderr.startswith("warning: listening on 127.0.0.2, not on 127.0.0.1")
    assert result.exit_code == 2


def test_every_offered_download_works(server):
    """The toolbar offers what /api/config lists: the chart as SVG, PDF, PNG and PowerPoint, the report as HTML and Word."""
    magic = {"svg": b"<?xml", "pdf": b"%PDF-", "png": b"\x89PNG", "html": b"<!doctype html>", "pptx": b"PK\x03\x04", "docx": b"PK\x03\x04"}
    offered = get(server, "/api/config").json()["downloads"]
    assert set(offered) == set(magic)
    for fmt in offered:
        response = get(server, "/download", path="hello.yaml", format=fmt)
        assert response.status_code == 200, (fmt, response.text[:300])
        assert response.content[: len(magic[fmt])].lower() == magic[fmt].lower(), fmt
