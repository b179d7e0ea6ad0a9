"""A Session: the explicit state of one run of kamflow (a CLI command, a notebook, a batch).

It holds the Workspace (each process file loaded once while it does not change) and answers the
questions several stages ask about references between processes, so each has one answer:

- `lookup(process)`: how a process's `based_on` / `subprocess` references resolve, with the sentence
  a check finding gives when one does not;
- `check_context(process, against=...)`: what the check rules see, reference resolved;
- `check(process)` and `findings_overlay(process)`: the findings, and what the chart adds for them;
- `subprocess_links(process)`: which subprocess steps link to a chart, and to which process id;
- `chart(process, options)`: the overlay and options a chart of the process is drawn with, and
  `subject(process, options)` the same with the findings and reference a document shows;
- `dependencies(process)`: every file a process's outputs depend on (references followed
  transitively, theme files), which the batch cache keys on.

kamflow.api makes a new Session for a call that is given none, so no state outlives a call unless
the caller keeps the session (`kamflow.api.Session()` and `workspace=` on every API function).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from kamflow.checks import CheckContext, Finding, catalog, run_checks
from kamflow.errors import LoadError, Span
from kamflow.loader import Workspace
from kamflow.model.overlay import Overlay
from kamflow.model.process import Process
from kamflow.rendering.options import RenderOptions

if TYPE_CHECKING:  # the report stage (and Jinja2) loads only for a command that writes a document
    from kamflow.reports.subject import Subject


@dataclass(frozen=True)
class Dependency:
    """A file (or a reference that resolves to none: path None) that a process's outputs depend on."""

    named_in: str  # the process file that names it
    reference: str  # as written
    path: Path | None


class Session:
    def __init__(self, workspace: Workspace | None = None):
        self.workspace = workspace if workspace is not None else Workspace()

    @staticmethod
    def of(workspace: "Workspace | Session | None") -> "Session":
        """The session for an API call: the one given (or wrapping the given workspace), else a new one."""
        if isinstance(workspace, Session):
            return workspace
        return Session(workspace)

    def load(self, path: Path | str) -> Process:
        return self.workspace.load(path)

    # -- references -------------------------------------------------------------------------------
    def lookup(self, process: Process) -> Callable[..., tuple[Process | None, str | None]]:
        """`lookup(reference, relative_to=None)` -> (process, None) or (None, why not)."""
        space = self.workspace

        def lookup(reference: str, relative_to: str | None = None) -> tuple[Process | None, str | None]:
            try:
                found = space.lookup(reference, relative_to=relative_to or process.path)
            except LoadError as error:
                # The referenced file is named, its content is not echoed: a process file from someone
                # else must not turn kamflow into a reader of other files' text.
                count = len(error.problems)
                shown = error.problems[0].span.path
                return None, f"does not load ({count} problem{'s' if count != 1 else ''}; `kamflow check {shown}` shows them)"
            if found is None:
                if Path(reference).is_absolute():
                    return None, "is an absolute path; a process names other processes by id or by a path relative to its own file"
                here = "beside this file" if Path(process.path).is_file() else "in the current folder"  # stdin, a notebook cell
                return None, f"was not found {here} or in the bundled library"
            return found, None

        return lookup

    def reference_id(self, process: Process) -> str | None:
        """The id of the process `based_on` names (its file stem when it cannot be loaded)."""
        if not process.based_on:
            return None
        found, _ = self.lookup(process)(process.based_on)
        return found.id if found is not None else Path(process.based_on).stem

    def check_context(self, process: Process, *, against: str | None = None) -> CheckContext:
        """The context rules see, with the reference (`against`, else `based_on`) resolved."""
        lookup = self.lookup(process)
        ctx = CheckContext(process=process, lookup=lookup, theme_problem=lambda theme: _theme_problem(theme, process))
        if against is not None:
            ctx.reference_name, ctx.reference_span = against, Span(process.path, 1, 1)
            if Path(against).suffix.lower() in (".yaml", ".yml"):  # a path from the command line: relative to where the user is
                try:
                    ctx.reference = self.workspace.load(against) if Path(against).is_file() else None
                    ctx.reference_error = None if ctx.reference is not None else "was not found (no such file)"
                except LoadError as error:
                    ctx.reference_error = f"does not load: {error.problems[0]}"
            else:
                ctx.reference, ctx.reference_error = lookup(against)
        elif process.based_on:
            ctx.reference_name, ctx.reference_span = process.based_on, process.span_of("based_on")
            ctx.reference, ctx.reference_error = lookup(process.based_on)
        return ctx

    def check(self, process: Process, *, rules: Iterable[str] | None = None, against: str | None = None) -> list[Finding]:
        """The findings of `rules` (default: the recommended preset), sorted by position."""
        chosen = catalog.selected_rules() if rules is None else rules
        return run_checks(self.check_context(process, against=against), enabled=chosen)

    def findings_overlay(self, process: Process, findings: Iterable[Finding] | None = None, *, against: str | None = None) -> Overlay:
        """What the chart adds for the findings (checked here when not given): ghosts and marks."""
        ctx = self.check_context(process, against=against)  # the reference resolved once, for the rules and the ghosts
        found = list(run_checks(ctx, enabled=catalog.selected_rules()) if findings is None else findings)
        return catalog.findings_overlay(process, ctx.reference, found)

    def chart(
        self, process: Process, options: RenderOptions | None = None, *, findings: Iterable[Finding] | None = None, overlay: Overlay | None = None
    ) -> tuple[Overlay, RenderOptions]:
        """The overlay and options a chart of `process` is drawn with: `overlay`, else the
        findings' ghosts and marks unless `options.ghosts` is off; the critical path (and a legend
        saying what it is) when `options.highlight` asks for it; subprocess links resolved."""
        options = options or RenderOptions()
        if overlay is None:
            overlay = self.findings_overlay(process, findings) if options.ghosts else Overlay()
        if options.highlight == "critical-path":
            from kamflow.analysis import critical_path_overlay, process_stats

            overlay = overlay.merged(critical_path_overlay(process_stats(process)))
            options = replace(options, legend=True)
        if options.subprocess_links is None:
            options = replace(options, subprocess_links=self.subprocess_links(process))
        return overlay, options

    def subject(self, process: Process, options: RenderOptions | None = None, *, findings: Iterable[Finding] | None = None) -> Subject:
        """A process as a document shows it: findings (checked here when not given), the title of
        its reference process, and its chart's overlay and options."""
        from kamflow.reports.subject import Subject

        found = tuple(self.check(process) if findings is None else findings)
        overlay, chart_options = self.chart(process, options, findings=found)
        reference = self.lookup(process)(process.based_on)[0] if process.based_on else None
        return Subject(process, found, reference.title if reference is not None else None, overlay, chart_options)

    def subprocess_links(self, process: Process) -> tuple[tuple[str, str], ...]:
        """(step id, process id) for each subprocess step whose reference resolves to a process that loads."""
        links = []
        for step in process.steps:
            if step.type != "subprocess" or not step.process:
                continue
            try:
                found = self.workspace.lookup(step.process, relative_to=process.path)
            except LoadError:
                found = None
            if found is not None:
                links.append((step.id, found.id))
        return tuple(links)

    def dependencies(self, process: Process, *, theme: str | None = None) -> list[Dependency]:
        """Every file the outputs of `process` depend on besides its own: the processes its
        `subprocess` steps and `based_on` name, followed transitively (one that does not resolve is
        listed with path None, so adding it later changes the answer), then the theme files of the
        process and of `theme` (an option, relative to the current folder), resolved as the
        renderer resolves them."""
        from kamflow.rendering.themes import is_theme_file

        found: list[Dependency] = []
        seen: set[Path] = {Path(process.path).resolve()}
        queue = [process]
        while queue:
            current = queue.pop(0)
            refs = [step.process for step in current.steps if step.type == "subprocess" and step.process]
            refs += [current.based_on] if current.based_on else []
            for ref in refs:
                located = self.workspace.locate(ref, relative_to=current.path)
                found.append(Dependency(current.path, ref, located.resolve() if located is not None else None))
                if located is None or located.resolve() in seen:
                    continue
                seen.add(located.resolve())
                try:
                    queue.append(self.workspace.load(located))
                except LoadError:
                    pass  # its bytes count; the check reports why it does not load
        for name, base in ((process.theme, Path(process.path).parent), (theme, Path.cwd())):
            if name and is_theme_file(name) and not (base is not Path.cwd() and Path(name).is_absolute()):
                candidate = base / name
                found.append(Dependency(process.path, name, candidate.resolve() if candidate.is_file() else None))
        return found


def _theme_problem(theme: str, process: Process) -> str | None:
    """Why a process's `theme:` would stop its render (as `render` would say it), or None."""
    from kamflow.rendering.themes import load_theme

    try:
        load_theme(theme, relative_to=process.path)
    except LoadError as error:
        return error.problems[0].message
    return None


Space = Session | Workspace | None  # what an API call's `workspace=` accepts (Session.of)
