from kamflow.checks.registry import Report, rule


@rule(id="end-required", severity="error", summary="The process has no end step.")
def check(ctx):
    if not ctx.ends:
        yield Report(ctx.process.span_of("steps"), "the process has no end step (add a step with `type: end`)")
