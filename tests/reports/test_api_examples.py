"""The examples in kamflow.api's docstrings (load, loads, check, render, render_charts, report,
portfolio, export, ...) are run, so the documented API is the working API."""
import doctest
import inspect

import kamflow
import kamflow.api


def test_api_docstring_examples_run():
    result = doctest.testmod(kamflow.api, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 30


def test_documented_entry_points_have_examples_and_keyword_only_options():
    for name in ("load", "loads", "check", "render", "render_charts", "report", "portfolio", "export"):
        function = getattr(kamflow, name)
        assert ">>> " in (function.__doc__ or ""), f"kamflow.{name} has no example"
        parameters = list(inspect.signature(function).parameters.values())
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[1:]), f"kamflow.{name}: options must be keyword-only"
        assert all(p.annotation is not p.empty for p in parameters), f"kamflow.{name}: every parameter is typed"
