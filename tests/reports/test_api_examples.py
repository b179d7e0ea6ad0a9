"""The examples in kamflow.api's docstrings (load, loads, check, render, render_charts, report,
portfolio, export, ...) are run, so the documented API is the working API."""
import doctest
import inspect

import pytest

import kamflow
import kamflow.api
import kamflow.api.documents
import kamflow.api.exchange
import kamflow.api.library


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


@pytest.mark.parametrize("module", [kamflow.api.documents, kamflow.api.exchange, kamflow.api.library], ids=lambda m: m.__name__)
def test_the_api_modules_examples_run(module):
    """kamflow.api offers their functions under its own name; their examples use its names (load, loads)."""
    result = doctest.testmod(module, extraglobs=vars(kamflow.api), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 3


def test_every_api_function_is_offered_by_kamflow_api():
    for module in (kamflow.api.documents, kamflow.api.exchange, kamflow.api.library):
        functions = [name for name, value in vars(module).items() if inspect.isfunction(value) and value.__module__ == module.__name__]
        public = [name for name in functions if not name.startswith("_")]
        assert public and all(getattr(kamflow.api, name) is getattr(module, name) for name in public), module.__name__


def test_dir_lists_the_api_and_not_its_helpers():
    names = dir(kamflow.api)
    own = [n for n, v in vars(kamflow.api).items() if inspect.isfunction(v) and v.__module__ == "kamflow.api" and not n.startswith("_")]
    assert set(own) <= set(names) and {"stats", "rules", "export_deck", "import_file", "RenderOptions", "Session"} <= set(names)
    assert not {"Path", "Any", "replace", "TINY", "Process", "catalog", "documents"} & set(names)
    assert all(callable(getattr(kamflow.api, name)) for name in names)
    # a helper imported at the top of kamflow.api would show up in dir(): name it _like_this or import it where used
    unexpected = [
        name
        for name in names
        if name not in kamflow.api.__all__ and name not in kamflow.api._PASSED_THROUGH
        and getattr(kamflow.api, name).__module__ not in ("kamflow.api", "kamflow.api.documents", "kamflow.api.exchange", "kamflow.api.library", "kamflow.checks.catalog")
    ]
    assert unexpected == []
