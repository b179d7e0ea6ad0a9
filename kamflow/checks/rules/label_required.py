from kamflow.checks.registry import Report, rule


@rule(id="label-required", severity="warning", summary="A step without a label.")
def check(ctx):
    for step in ctx.process.steps:
        if not step.label_given:
            yield Report(step.span, f"step {step.id!r} has no label; the chart shows its id", step.id)
