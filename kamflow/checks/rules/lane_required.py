from kamflow.checks.registry import Report, rule


@rule(id="lane-required", severity="warning", summary="A step outside every lane in a process that has lanes.")
def check(ctx):
    if not ctx.process.lanes:
        return
    for step in ctx.process.steps:
        if step.lane is None:
            yield Report(
                step.span, f"step {step.id!r} ({step.label}) has no `lane`; the chart draws it outside the swimlanes, so nobody owns it", step.id
            )
