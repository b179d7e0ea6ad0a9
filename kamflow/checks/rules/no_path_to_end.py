from kamflow.checks.registry import Report, rule


@rule(id="no-path-to-end", severity="error", summary="A step from which no end can be reached: a loop with no exit.")
def check(ctx):
    """Only loops are reported here: when the flow from a step runs into a dead end or a missing
    step, those rules already name the cause, so repeating it on every step before would be noise."""
    if not ctx.ends:
        return
    graph = ctx.graph
    stuck = {step.id for step in ctx.process.steps if step.id not in ctx.reaches_end}
    blocked_by_other_cause = set()
    for step_id in stuck:
        if step_id in ctx.dangling_sources or not ctx.process.outgoing(step_id):
            blocked_by_other_cause.add(step_id)
    from kamflow.model.graph import reaching

    explained = reaching(graph, sorted(blocked_by_other_cause)) if blocked_by_other_cause else set()
    for step in ctx.process.steps:
        if step.id in stuck and step.id not in explained and ctx.process.outgoing(step.id):
            yield Report(step.span, f"no end can be reached from step {step.id!r} ({step.label}): its loop has no exit", step.id)
