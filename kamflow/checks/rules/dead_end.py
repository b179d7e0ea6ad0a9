from kamflow.checks.registry import Report, rule


@rule(id="dead-end", severity="error", summary="A step other than an end with no outgoing flow.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type != "end" and not ctx.process.outgoing(step.id):
            yield Report(step.span, f"step {step.id!r} ({step.label}) has no way out: add `next`, or make it `type: end`", step.id)
