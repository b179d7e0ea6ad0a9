"""Reports: a process, its findings and its chart's SVG text become HTML or Markdown documents
through Jinja2 templates. The api passes everything in; nothing here loads, checks or renders."""

from kamflow.reports.jinja import REPORT_FORMATS, TemplateError, md_text, render_template
from kamflow.reports.viewmodel import build_index, build_view, flow_order, inline_svg, retarget_chart_links

__all__ = [
    "REPORT_FORMATS",
    "TemplateError",
    "build_index",
    "build_view",
    "flow_order",
    "inline_svg",
    "md_text",
    "render_template",
    "retarget_chart_links",
]
