from kamflow.checks.conformance import missing_essentials
from kamflow.checks.registry import Report, rule


@rule(
    id="missing-essential-step", severity="error", summary="An essential step of the reference process that no step implements.", needs_reference=True
)
def check(ctx):
    if ctx.reference is None:
        return
    for ref in missing_essentials(ctx.process, ctx.reference):
        yield Report(
            ctx.where_reference(),
            f"essential step {ref.id!r} ({ref.label}) of reference {ctx.reference_name!r} is missing: "
            f"no step has id {ref.id!r} or lists it in `implements`",
            step=ref.id,
            reference_step=ref.id,
        )
