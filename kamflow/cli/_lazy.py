"""`api` for the command modules, imported on first use: `kamflow --help` and option errors then
cost no more than click, while kamflow.api (networkx, YAML, Graphviz bindings) loads only for a
command that runs."""

from __future__ import annotations

import importlib


class _LazyApi:
    def __getattr__(self, name: str):
        return getattr(importlib.import_module("kamflow.api"), name)

    def __repr__(self) -> str:
        return "<kamflow.api, imported on first use>"


api = _LazyApi()
