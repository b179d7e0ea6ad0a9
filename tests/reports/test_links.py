"""Only http, https and mailto links reach a report, as on the chart; anything else leaves no trace."""
import kamflow


def test_report_keeps_web_links_and_drops_the_rest(write):
    steps = "".join(
        f"  - {{id: s{i}, label: Step {i}, link: '{link}', next: s{i + 1}}}\n"
        for i, link in enumerate(["https://example.com/a", "mailto:kam@example.com", "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd"], start=1)
    )
    text = "kamflow: 1\nid: links\nsteps:\n  - {id: s0, type: start, next: s1}\n" + steps + "  - {id: s6, type: end}\n"
    process = kamflow.load(write(text))
    for fmt, name in (("html", "links.html"), ("md", "links.md")):
        page = kamflow.report(process, fmt=fmt)[name].decode("utf-8")
        assert "https://example.com/a" in page and "mailto:kam@example.com" in page
        for bad in ("javascript:", "data:text", "file:///"):
            assert bad not in page, (fmt, bad)
