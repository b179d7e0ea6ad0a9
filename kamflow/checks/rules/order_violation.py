from kamflow.checks.conformance import order_violations
from kamflow.checks.registry import Report, rule


@rule(id="order-violation", severity="error", summary="Two essential reference steps are implemented in the opposite order.", needs_reference=True)
def check(ctx):
    if ctx.reference is None:
        return
    ref_steps = ctx.reference.steps_by_id
    for found in order_violations(ctx.process, ctx.reference, ctx.implementers):
        first, later = ref_steps[found.before], ref_steps[found.after]
        own = ctx.process.steps_by_id[found.step]
        other = ctx.process.steps_by_id[found.reaches]
        yield Report(
            own.span,
            f"{_describe(own, later)} comes before {_describe(other, first)}, "
            f"but reference {ctx.reference_name!r} does {first.id!r} ({first.label}) first",
            step=own.id,
            reference_step=later.id,
        )


def _describe(step, ref) -> str:
    if step.id == ref.id:
        return f"step {step.id!r} ({step.label})"
    return f"step {step.id!r} ({step.label}, implementing {ref.id!r})"
