from kamflow.checks.registry import Report, rule
from kamflow.model.graph import joins_parallel_work, parallel_splits


@rule(id="join-without-split", severity="error", summary="A parallel join where only alternative paths arrive: it would wait forever.")
def check(ctx):
    """A `parallel` step with two or more incoming flows in the forward flow (loop-backs do not
    count) joins parallel work: it waits until every incoming flow has arrived. When no split (a
    parallel step, or a step that is not a decision with several outgoing flows) leads to two of
    its sources through two different outgoing flows, the paths arriving are alternatives (after a
    decision, say): only one ever arrives, and the join waits for the others forever."""
    forward = ctx.forward
    process = ctx.process
    splits = list(parallel_splits(process, forward).values())
    for step in process.steps:
        if step.type != "parallel" or step.id not in forward:
            continue
        sources = list(forward.predecessors(step.id))
        if len(sources) < 2 or any(joins_parallel_work(branches, sources) for branches in splits):
            continue
        names = ", ".join(repr(s) for s in sources)
        yield Report(
            step.span,
            f"parallel step {step.id!r} ({step.label}) joins the paths from {names}, but no parallel split "
            "leads to them: they are alternatives, only one arrives, and the join waits for the others forever",
            step.id,
        )
