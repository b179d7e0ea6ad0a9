import difflib

from kamflow.checks.registry import Report, rule

_NAMED = 8  # steps named in one finding; the rest are counted


@rule(id="unreachable", severity="error", summary="A step that no start step leads to.")
def check(ctx):
    """One finding per cut-off region (steps joined by flows that no start reaches), at the step
    where it begins (the first in file order that no other step of the region leads to), naming
    the others; when a reachable step's flow goes to a missing id that looks like one
    of the region's ids, the finding names the likely typo."""
    if not ctx.starts:
        return  # start-required already says why nothing is reachable
    process = ctx.process
    cut = [step for step in process.steps if step.id not in ctx.reachable]
    if not cut:
        return
    ids = {step.id for step in cut}
    neighbours: dict[str, set[str]] = {step_id: set() for step_id in ids}
    entered: set[str] = set()  # cut-off steps that another cut-off step flows to
    for edge in process.edges:
        if edge.source in ids and edge.target in ids:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
            if edge.source != edge.target:
                entered.add(edge.target)
    dangling = [edge for edge in process.edges if edge.source in ctx.reachable and edge.target not in process.steps_by_id]
    placed: set[str] = set()
    for step in cut:
        if step.id in placed:
            continue
        region = {step.id}
        todo = [step.id]
        while todo:
            for other in neighbours[todo.pop()]:
                if other not in region:
                    region.add(other)
                    todo.append(other)
        placed |= region
        members = [s for s in cut if s.id in region and "unreachable" not in s.ignore]
        if not members:
            continue
        first = next((s for s in members if s.id not in entered), members[0])  # where the region begins
        rest = [s for s in members if s is not first]
        message = f"step {first.id!r} ({first.label}) cannot be reached from the start"
        if rest:
            named = ", ".join(repr(s.id) for s in rest[:_NAMED]) + (f" and {len(rest) - _NAMED} more" if len(rest) > _NAMED else "")
            message += f", nor can the {len(rest)} step{'s' if len(rest) != 1 else ''} joined to it by flows: {named}"
        for edge in dangling:
            match = difflib.get_close_matches(edge.target, [s.id for s in members], n=1, cutoff=0.6)
            if match:
                message += f"; the flow from {edge.source!r} to {edge.target!r} (no such step) probably means {match[0]!r}"
                break
        yield Report(first.span, message, first.id)
