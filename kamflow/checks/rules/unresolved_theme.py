from kamflow.checks.registry import Report, rule


@rule(id="unresolved-theme", severity="error", summary="The file's `theme:` is neither a built-in theme nor a theme file that loads.")
def check(ctx):
    """`render` would stop on this theme; the check says so first, where the file names it."""
    theme = ctx.process.theme
    if not theme:
        return
    problem = ctx.theme_problem(theme)
    if problem:
        yield Report(ctx.process.span_of("theme"), f"theme {theme!r} cannot be used: {problem}")
