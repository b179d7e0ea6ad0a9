from kamflow.checks.registry import Report, rule


@rule(id="unresolved-reference", severity="error", summary="The reference named by `based_on` or `--against` cannot be found or does not load.")
def check(ctx):
    if ctx.reference_name is not None and ctx.reference is None:
        why = ctx.reference_error or "was not found"
        yield Report(ctx.where_reference(), f"reference process {ctx.reference_name!r} {why}; conformance to it cannot be checked")
