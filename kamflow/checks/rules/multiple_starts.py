from kamflow.checks.registry import Report, rule


@rule(id="multiple-starts", severity="warning", summary="More than one start step.")
def check(ctx):
    for step_id in ctx.starts[1:]:
        yield Report(
            ctx.span(step_id), f"step {step_id!r} is another start step (the first is {ctx.starts[0]!r}); one start reads more clearly", step_id
        )
