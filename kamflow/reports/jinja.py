"""The Jinja2 side of reports: built-in templates shipped as package data, a user's own template,
autoescape for HTML, and undefined variables as errors that name the template line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kamflow.errors import KamflowError

REPORT_FORMATS = ("html", "md")
BUILTIN = {
    ("report", "html"): "report.html.j2",
    ("report", "md"): "report.md.j2",
    ("index", "html"): "index.html.j2",
    ("index", "md"): "index.md.j2",
}


class TemplateError(KamflowError):
    """A user's report template does not parse or fails on the report data: `TEMPLATE:LINE: error: ...`."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: error: {message}" if line else f"{path}: error: {message}")

    def lines(self) -> list[str]:
        return [str(self)]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")


def md_text(value: Any) -> str:
    """Text for a Markdown table cell or line: Markdown punctuation is backslash-escaped, HTML
    characters become entities and line breaks become spaces, so a label can never turn into a
    link, an image, a table column or raw HTML on a wiki."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())


def _environment(fmt: str, template_dir: Path | None) -> jinja2.Environment:
    builtin = jinja2.PackageLoader("kamflow.reports", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders.append(jinja2.PrefixLoader({"kamflow": builtin}))
    loaders.append(builtin)
    # A user's template runs sandboxed: it can read the report data but not reach Python's internals
    # (`''.__class__.__mro__` ...) or change the data, so a template from a client cannot run code.
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    environment_class = ImmutableSandboxedEnvironment if template_dir is not None else jinja2.Environment
    env = environment_class(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=(fmt == "html"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_text
    env.filters["svg"] = lambda text: Markup(text)  # the chart's own SVG, produced by kamflow
    return env


def render_template(context: dict[str, Any], *, kind: str = "report", fmt: str = "html", template: Path | str | None = None) -> str:
    """Fill a built-in template (`kind` report or index) or the user's `template` file.

    A user template that does not parse, or uses a variable the context lacks, raises TemplateError
    `TEMPLATE:LINE: error: ...`.
    """
    if fmt not in REPORT_FORMATS:
        from kamflow.errors import UsageError

        raise UsageError(f"unknown report format {fmt!r}; choose from {', '.join(REPORT_FORMATS)}")
    if template is None:
        env = _environment(fmt, None)
        return env.get_template(BUILTIN[(kind, fmt)]).render(context)
    path = Path(template)
    if not path.is_file():
        raise TemplateError(str(template), 0, "no such template file")
    env = _environment(fmt, path.resolve().parent)
    shown = str(template)
    try:
        compiled = env.get_template(path.name)
        return compiled.render(context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(_shown(error.filename, path, shown), error.lineno or 0, f"template syntax: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise TemplateError(shown, 0, f"template not found: {error.name}") from None
    except jinja2.UndefinedError as error:
        raise TemplateError(*_runtime_place(error, path, shown), f"undefined in template: {error.message}") from None
    except Exception as error:  # a filter or test failing on the user's data: still the template's fault
        raise TemplateError(*_runtime_place(error, path, shown), f"template failed: {type(error).__name__}: {error}") from None


def _shown(filename: str | None, path: Path, shown: str) -> str:
    if filename and Path(filename).resolve() != path.resolve():
        return filename
    return shown


def _runtime_place(error: BaseException, path: Path, shown: str) -> tuple[str, int]:
    """Jinja rewrites tracebacks so template frames carry the template's file name and line; the
    innermost such frame is where the error happened."""
    where = (shown, 0)
    tb = error.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and Path(filename).is_file():
            where = (_shown(filename, path, shown), tb.tb_lineno)
        tb = tb.tb_next
    return where
