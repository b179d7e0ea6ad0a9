import networkx as nx

from kamflow.checks.registry import Report, rule


@rule(id="fake-join", severity="warning", summary="A step where alternative paths meet, drawn like a join of parallel work.", recommended=False)
def check(ctx):
    """A fake join is a step that is not a start, end or decision, with two or more incoming flows
    in the forward flow (loop-backs do not count), where no two of those flows carry parallel
    work. Two flows carry parallel work when one parallel split (a step that is not a decision,
    with several outgoing flows) leads to their two sources through two different outgoing flows.
    Otherwise only one of the incoming flows ever arrives: the step merges alternatives."""
    forward = ctx.forward
    process = ctx.process
    splits = [
        [{target} | nx.descendants(forward, target) for target in dict.fromkeys(e.target for e in process.outgoing(s.id)) if target in forward]
        for s in process.steps
        if s.type not in ("decision", "end") and len({e.target for e in process.outgoing(s.id)}) > 1
    ]
    for step in process.steps:
        if step.type in ("decision", "start", "end") or step.id not in forward:
            continue
        sources = list(forward.predecessors(step.id))
        if len(sources) < 2 or any(_carries_parallel(branches, sources) for branches in splits):
            continue
        names = ", ".join(repr(s) for s in sources)
        yield Report(
            step.span,
            f"step {step.id!r} ({step.label}) is where alternative paths from {names} meet: only one of them "
            "ever arrives, so it merges, it does not join parallel work",
            step.id,
        )


def _carries_parallel(branches: list[set[str]], sources: list[str]) -> bool:
    """Two different sources, reached through two different outgoing flows of one split."""
    for i, first in enumerate(branches):
        for second in branches[i + 1:]:
            if any(p != q for p in sources if p in first for q in sources if q in second):
                return True
    return False
