from kamflow.checks.registry import Report, rule


@rule(id="unlabeled-branch", severity="error", summary="A way out of a decision without a label.")
def check(ctx):
    for step in ctx.process.steps:
        if step.type != "decision":
            continue
        for edge in ctx.process.outgoing(step.id):
            if not (edge.label or "").strip():
                yield Report(
                    edge.span,
                    f"decision {step.id!r} ({step.label}) leads to {edge.target!r} without a label; say which answer takes this way (use `branches`)",
                    step.id,
                )
