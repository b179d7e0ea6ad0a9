from kamflow.checks.registry import Report, rule


@rule(id="superfluous-decision", severity="error", summary="A decision whose branches all lead to the same step.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type != "decision":
            continue
        flows = ctx.process.outgoing(step.id)
        targets = {edge.target for edge in flows}
        if len(flows) > 1 and len(targets) == 1:
            yield Report(
                step.span,
                f"decision {step.id!r} ({step.label}) leads to {flows[0].target!r} on every "
                f"branch, so nothing is decided; point a branch elsewhere or make it a plain step",
                step.id,
            )
