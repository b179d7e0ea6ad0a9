from kamflow.checks.registry import Report, rule


@rule(id="self-loop", severity="error", summary="A step that flows straight back to itself.")
def check(ctx):
    for edge in ctx.process.edges:
        if edge.source == edge.target:
            step = ctx.process.steps_by_id[edge.source]
            yield Report(
                edge.span,
                f"step {step.id!r} ({step.label}) flows to itself; to repeat work, loop back through a decision that says when to stop",
                step.id,
            )
