from kamflow.checks.registry import Report, rule


@rule(id="decision-branches", severity="error", summary="A decision with fewer than two ways out.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type != "decision":
            continue
        targets = {edge.target for edge in ctx.process.outgoing(step.id)}
        if len(targets) < 2:
            count = "no way out" if not targets else "only one way out"
            yield Report(step.span, f"decision {step.id!r} ({step.label}) has {count}; a decision needs at least two branches to different steps", step.id)
