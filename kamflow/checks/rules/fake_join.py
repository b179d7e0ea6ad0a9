from kamflow.checks.registry import Report, rule
from kamflow.model.graph import joins_parallel_work, parallel_splits


@rule(id="fake-join", severity="warning", summary="A step where alternative paths meet, drawn like a join of parallel work.", recommended=False)
def check(ctx):
    """A fake join is a step that is not a start, end, decision or parallel step, with two or more
    incoming flows in the forward flow (loop-backs do not count), where no two of those flows carry
    parallel work. Two flows carry parallel work when one parallel split (a parallel step, or a
    step that is not a decision with several outgoing flows) leads to their two sources through two
    different outgoing flows. Otherwise only one of the incoming flows ever arrives: the step
    merges alternatives. (A `parallel` join of alternatives is `join-without-split`.)"""
    forward = ctx.forward
    process = ctx.process
    splits = list(parallel_splits(process, forward).values())
    for step in process.steps:
        if step.type in ("decision", "start", "end", "parallel") or step.id not in forward:
            continue
        sources = list(forward.predecessors(step.id))
        if len(sources) < 2 or any(joins_parallel_work(branches, sources) for branches in splits):
            continue
        names = ", ".join(repr(s) for s in sources)
        yield Report(
            step.span,
            f"step {step.id!r} ({step.label}) is where alternative paths from {names} meet: only one of them "
            "ever arrives, so it merges, it does not join parallel work",
            step.id,
        )
