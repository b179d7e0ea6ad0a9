from kamflow.checks.registry import Report, rule


@rule(id="start-required", severity="error", summary="The process has no start step.")
def check(ctx):
    if not ctx.starts:
        yield Report(ctx.process.span_of("steps"), "the process has no start step (add a step with `type: start`)")
