from kamflow.checks.registry import Report, rule


@rule(id="unreachable", severity="error", summary="A step that no start step leads to.")
def check(ctx):
    if not ctx.starts:
        return  # start-required already says why nothing is reachable
    for step in ctx.process.steps:
        if step.id not in ctx.reachable:
            yield Report(step.span, f"step {step.id!r} ({step.label}) cannot be reached from the start", step.id)
