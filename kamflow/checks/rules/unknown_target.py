import difflib

from kamflow.checks.registry import Report, rule


@rule(id="unknown-target", severity="error", summary="A flow points to a step that does not exist (a missing step).")
def check(ctx):
    known = ctx.process.steps_by_id
    for edge in ctx.process.edges:
        if edge.target not in known:
            hint = difflib.get_close_matches(edge.target, list(known), n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else ""
            yield Report(
                edge.span,
                f"step {edge.source!r} flows to {edge.target!r}, which is not a step in this process (a missing step?){suffix}",
                edge.source,
            )
