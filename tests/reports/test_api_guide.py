"""docs/python-api.md, the guide to the Python API, is run as a doctest: its examples are what the
code does, and every public name of kamflow.api is in it."""
import doctest
import re
from pathlib import Path

import kamflow.api

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"


def test_the_guide_examples_run():
    result = doctest.testfile(str(GUIDE), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 30


def test_the_guide_names_every_public_function():
    public = {name for name, value in vars(kamflow.api).items() if callable(value) and not name.startswith("_")
              and getattr(value, "__module__", "") == "kamflow.api"} | set(kamflow.api._PASSED_THROUGH)
    public |= {"rules", "rule_doc", "check_rule_ids", "format_findings"}
    named = set(re.findall(r"`([a-z_]+)\(", GUIDE.read_text(encoding="utf-8")))
    assert public - named == set()
