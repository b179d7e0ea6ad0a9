from kamflow.checks.registry import Report, rule


@rule(id="end-has-outgoing", severity="error", summary="An end step with `next` or branches.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type == "end" and ctx.process.outgoing(step.id):
            key = "next" if "next" in step.key_spans else "branches"
            yield Report(step.span_of(key), f"end step {step.id!r} ({step.label}) has outgoing flow; an end ends the process", step.id)
