"""The one way kamflow writes a coordinate or size into an output (SVG, BPMN DI, draw.io)."""

from __future__ import annotations


def number(value: float) -> str:
    """At most two decimals, no trailing zeros, never `-0`.

    >>> number(1.0), number(2.505), number(-0.001), number(12.3456)
    ('1', '2.5', '0', '12.35')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
