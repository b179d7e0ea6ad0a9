from kamflow.checks.registry import Report, rule
from kamflow.model.graph import parallel_splits


@rule(id="split-without-join", severity="warning", summary="A parallel split whose branches never meet again at a parallel join.")
def check(ctx):
    """A `parallel` step with two or more outgoing flows starts parallel work. Some `parallel` step
    with two or more incoming flows must then be reached from two different branches of the split
    (in the forward flow: loop-backs do not count), so that the process waits for the parallel
    work before it goes on. Without one, the branches run on to separate ends, or meet at an
    ordinary step, which then runs once per branch."""
    forward = ctx.forward
    process = ctx.process
    joins = {step.id for step in process.steps if step.type == "parallel" and step.id in forward and forward.in_degree(step.id) > 1}
    for split, branches in parallel_splits(process, forward, only_parallel=True).items():
        met = any(joins & first & second for i, first in enumerate(branches) for second in branches[i + 1 :])
        if not met:
            step = process.steps_by_id[split]
            yield Report(
                step.span_of("next"),
                f"parallel step {split!r} ({step.label}) splits the flow, but its branches never meet at a "
                "parallel join (a parallel step with several incoming flows)",
                split,
            )
