from kamflow.checks.registry import Report, rule


@rule(id="empty-lane", severity="warning", summary="A declared lane with no steps.")
def check(ctx):
    used = {step.lane for step in ctx.process.steps}
    for lane in ctx.process.lanes:
        if lane.id not in used:
            yield Report(lane.span, f"lane {lane.id!r} ({lane.label}) has no steps")
