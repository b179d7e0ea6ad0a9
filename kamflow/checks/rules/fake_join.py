from kamflow.checks.registry import Report, rule
from kamflow.model.graph import merges_of_alternatives


@rule(id="fake-join", severity="warning", summary="A step where alternative paths meet, drawn like a join of parallel work.", recommended=False)
def check(ctx):
    """A fake join is a step that is not a start, end, decision or parallel step, with two or more
    incoming flows in the forward flow (loop-backs do not count), where no two of those flows carry
    parallel work. Two flows carry parallel work when one parallel split (a parallel step, or a
    step that is not a decision with several outgoing flows) leads to their two sources through two
    different outgoing flows. Otherwise only one of the incoming flows ever arrives: the step
    merges alternatives. (A `parallel` join of alternatives is `join-without-split`.)"""
    process = ctx.process
    merging = ("decision", "start", "end", "parallel")
    for step_id, sources in merges_of_alternatives(process, ctx.forward, which=lambda step_type: step_type not in merging):
        step = process.steps_by_id[step_id]
        names = ", ".join(repr(s) for s in sources)
        yield Report(
            step.span,
            f"step {step.id!r} ({step.label}) is where alternative paths from {names} meet: only one of them "
            "ever arrives, so it merges, it does not join parallel work",
            step.id,
        )
