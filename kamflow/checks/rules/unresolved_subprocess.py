from kamflow.checks.registry import Report, rule


@rule(id="unresolved-subprocess", severity="error", summary="A subprocess step whose `process` cannot be found.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type != "subprocess":
            continue
        if step.process is None:
            yield Report(step.span, f"subprocess {step.id!r} ({step.label}) does not name its `process`", step.id)
            continue
        found, why = ctx.lookup(step.process)
        if found is None:
            yield Report(step.span_of("process"), f"subprocess {step.id!r} links to process {step.process!r}, which {why}", step.id)
