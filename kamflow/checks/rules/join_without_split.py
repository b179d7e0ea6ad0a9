from kamflow.checks.registry import Report, rule
from kamflow.model.graph import merges_of_alternatives


@rule(id="join-without-split", severity="error", summary="A parallel join where only alternative paths arrive: it would wait forever.")
def check(ctx):
    """A `parallel` step with two or more incoming flows in the forward flow (loop-backs do not
    count) joins parallel work: it waits until every incoming flow has arrived. When no split (a
    parallel step, or a step that is not a decision with several outgoing flows) leads to two of
    its sources through two different outgoing flows, the paths arriving are alternatives (after a
    decision, say): only one ever arrives, and the join waits for the others forever."""
    process = ctx.process
    for step_id, sources in merges_of_alternatives(process, ctx.forward, which=lambda step_type: step_type == "parallel"):
        step = process.steps_by_id[step_id]
        names = ", ".join(repr(s) for s in sources)
        yield Report(
            step.span,
            f"parallel step {step.id!r} ({step.label}) joins the paths from {names}, but no parallel split "
            "leads to them: they are alternatives, only one arrives, and the join waits for the others forever",
            step.id,
        )
