from kamflow.checks.registry import Report, rule


@rule(id="raci-incomplete", severity="warning", summary="A RACI without exactly one Accountable or without a Responsible.")
def check(ctx):
    for step in ctx.process.steps:
        raci = step.metadata.get("raci")
        if raci is None:
            continue
        where = f"the RACI of step {step.id!r} ({step.label})"
        accountable = raci.get("A", [])
        if not accountable:
            yield Report(step.span_of("raci"), f"{where} names no one accountable (A): name exactly one role", step.id)
        elif len(accountable) > 1:
            names = ", ".join(accountable)
            yield Report(
                step.span_of("raci"), f"{where} names {len(accountable)} accountable roles (A: {names}); exactly one role is accountable", step.id
            )
        if not raci.get("R"):
            yield Report(step.span_of("raci"), f"{where} names no one responsible (R): name who does the work", step.id)
