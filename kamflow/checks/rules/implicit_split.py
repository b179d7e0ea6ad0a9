from kamflow.checks.registry import Report, rule


@rule(id="implicit-split", severity="warning", summary="A step that is not a decision with several outgoing flows.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type in ("decision", "end", "parallel"):
            continue
        flows = ctx.process.outgoing(step.id)
        if len(flows) > 1:
            targets = ", ".join(repr(edge.target) for edge in flows)
            yield Report(
                step.span_of("next"),
                f"step {step.id!r} ({step.label}) flows to several steps ({targets}) "
                f"without a decision; use a decision, or say the work runs in parallel",
                step.id,
            )
