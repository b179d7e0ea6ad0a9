from kamflow.checks.registry import Report, rule


@rule(id="decision-branches", severity="error", summary="A decision with fewer than two ways out.")
def check(ctx):
    """Counts flows; a decision with two or more flows that all lead to one step is
    superfluous-decision's case."""
    for step in ctx.process.steps:
        if step.type != "decision":
            continue
        flows = ctx.process.outgoing(step.id)
        if len(flows) < 2:
            count = "no way out" if not flows else "only one way out"
            yield Report(
                step.span, f"decision {step.id!r} ({step.label}) has {count}; a decision needs at least two branches to different steps", step.id
            )
