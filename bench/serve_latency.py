"""`kamflow serve`: from a save on disk to the open page's new chart. Starts a real server on a
free port, keeps an event stream open like a page does, then saves a small process and the
client-sized as-is KAM variant (examples/kam-as-is.yaml, 14 steps and 9 ghosts against the
bundled reference) and the KAM reference itself (processes/kam.yaml, 35 steps) again and again and times (1) the save to the `change` event and (2) the save
to the new view's JSON (the chart the page shows), the part a workshop waits for.

    .venv/bin/python bench/serve_latency.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, write_result  # noqa: E402
from tests.serve.conftest import TWO_STEPS, start_server, stop_server  # noqa: E402


def summary(times: list[float]) -> dict:
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3), "max_s": round(max(times), 3), "runs": len(times)}


def measure(server, relative: str, text_of, repeat: int) -> dict:
    path = server.folder / relative
    params = {"token": server.token, "path": relative}
    httpx.get(server.base + "/api/view", params=params, timeout=120)  # first render, untimed
    events: list[float] = []
    seen = threading.Event()

    def listen():
        with httpx.stream("GET", server.base + "/events", params={"token": server.token}, timeout=None) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: change"):
                    events.append(time.perf_counter())
                    seen.set()

    threading.Thread(target=listen, daemon=True).start()
    time.sleep(0.5)
    to_event, to_view = [], []
    for n in range(repeat):
        seen.clear()
        saved = time.perf_counter()
        path.write_text(text_of(n), encoding="utf-8")
        if not seen.wait(10):
            raise SystemExit(f"no change event for {relative}")
        to_event.append(events[-1] - saved)
        view = httpx.get(server.base + "/api/view", params=params, timeout=120).json()
        to_view.append(time.perf_counter() - saved)
        assert view["ok"] and f"run {n}" in view["svg"], view.get("errors")
        time.sleep(0.3)
    return {"save_to_event": summary(to_event), "save_to_chart": summary(to_view)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    variant = (ROOT / "examples" / "kam-as-is.yaml").read_text(encoding="utf-8")
    kam = (ROOT / "processes" / "kam.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        server = start_server(Path(folder))
        try:
            (Path(folder) / "small.yaml").write_text(TWO_STEPS.format(id="small", title="Small", label="run -"), encoding="utf-8")
            (Path(folder) / "variant.yaml").write_text(variant, encoding="utf-8")
            (Path(folder) / "kam.yaml").write_text(kam, encoding="utf-8")
            figures = {
                "small_3_steps": measure(server, "small.yaml", lambda n: TWO_STEPS.format(id="small", title="Small", label=f"run {n}"), repeat),
                "kam_as_is_variant": measure(server, "variant.yaml", lambda n: variant.replace("title: Key Account Management (as-is)", f"title: KAM as-is run {n}"), repeat),
                "kam_35_steps": measure(server, "kam.yaml", lambda n: kam.replace("title: Key Account Management Process", f"title: KAM run {n}"), repeat),
                "repeat": repeat,
            }
        finally:
            stop_server(server)
    write_result("serve_latency", figures)
    for name in ("small_3_steps", "kam_as_is_variant", "kam_35_steps"):
        result = figures[name]
        print(f"{name:20} save -> event {result['save_to_event']['median_s']:.3f} s   save -> new chart {result['save_to_chart']['median_s']:.3f} s (median of {repeat})")


if __name__ == "__main__":
    main()
