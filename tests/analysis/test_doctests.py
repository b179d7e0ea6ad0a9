"""The examples in the duration module's docstring run."""
import doctest

import kamflow.model.duration


def test_duration_docstring_examples():
    result = doctest.testmod(kamflow.model.duration)
    assert result.attempted > 0 and result.failed == 0
