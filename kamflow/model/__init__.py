"""The process model: plain dataclasses plus a networkx view of the flow."""

from kamflow.model.process import STEP_TYPES, Edge, Lane, Process, Step

__all__ = ["STEP_TYPES", "Edge", "Lane", "Process", "Step"]
