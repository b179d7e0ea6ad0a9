from kamflow.checks.registry import Report, rule


@rule(id="duplicate-flow", severity="error", summary="Two flows between the same pair of steps (the chart draws only one).")
def check(ctx):
    """A decision whose branches all lead to one step is left to superfluous-decision."""
    for step in ctx.process.steps:
        flows = ctx.process.outgoing(step.id)
        if step.type == "decision" and len(flows) > 1 and len({e.target for e in flows}) == 1:
            continue
        first: dict[str, object] = {}
        for edge in flows:
            if edge.target in first:
                earlier = first[edge.target]
                names = _names(earlier, edge)
                yield Report(
                    edge.span,
                    f"step {step.id!r} flows to {edge.target!r} twice{names}; merge them into one flow (the chart draws only the first)",
                    step.id,
                )
            else:
                first[edge.target] = edge


def _names(earlier, edge) -> str:
    labels = [e.label for e in (earlier, edge) if e.label]
    return f" ({' and '.join(repr(label) for label in labels)})" if labels else ""
