import os.path

from kamflow.checks.registry import Report, rule


@rule(id="subprocess-cycle", severity="error", summary="Following subprocess links leads back to this process: it contains itself.")
def check(ctx):
    """Depth-first through the `process` links of subprocess steps; each link is resolved
    relative to the file that makes it. Links that do not resolve are left to
    unresolved-subprocess."""
    home = _key(ctx.process.path)
    for step in ctx.process.steps:
        if step.type == "subprocess" and step.process is not None:
            chain = _back_home(ctx, step.process, ctx.process.path, home, [ctx.process.id], set())
            if chain is not None:
                yield Report(
                    step.span_of("process"),
                    f"subprocess {step.id!r} ({step.label}) leads back to this process ({' -> '.join(chain)}); a process cannot contain itself",
                    step.id,
                )


def _back_home(ctx, reference, base, home, chain, seen):
    found, _ = ctx.lookup(reference, relative_to=base)
    if found is None:
        return None
    if _key(found.path) == home:
        return chain + [found.id]
    if _key(found.path) in seen:
        return None
    seen.add(_key(found.path))
    for step in found.steps:
        if step.type == "subprocess" and step.process is not None:
            result = _back_home(ctx, step.process, found.path, home, chain + [found.id], seen)
            if result is not None:
                return result
    return None


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))
