import difflib

from kamflow.checks.registry import Report, rule


@rule(id="unknown-implements", severity="error", summary="`implements` names a step the reference process does not have.", needs_reference=True)
def check(ctx):
    if ctx.reference is None:
        return
    known = ctx.reference.steps_by_id
    for step in ctx.process.steps:
        for ref_id in step.implements:
            if ref_id not in known:
                hint = difflib.get_close_matches(ref_id, list(known), n=1)
                suffix = f"; did you mean {hint[0]!r}?" if hint else ""
                yield Report(
                    step.span_of("implements"),
                    f"step {step.id!r} implements {ref_id!r}, which is not a step of reference {ctx.reference_name!r}{suffix}",
                    step.id,
                )
