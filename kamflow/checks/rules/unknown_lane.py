import difflib

from kamflow.checks.registry import Report, rule


@rule(id="unknown-lane", severity="error", summary="A step in a lane that is not declared.")
def check(ctx):
    lanes = ctx.process.lanes_by_id
    for step in ctx.process.steps:
        if step.lane is not None and step.lane not in lanes:
            hint = difflib.get_close_matches(step.lane, list(lanes), n=1)
            suffix = f"; did you mean {hint[0]!r}?" if hint else ""
            yield Report(step.span_of("lane"), f"step {step.id!r} is in lane {step.lane!r}, which is not declared under `lanes`{suffix}", step.id)
