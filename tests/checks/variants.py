"""Client variants of the bundled KAM process (processes/kam.yaml), made by editing its text the way
a consultant adapts the reference: rename steps (keeping `implements`), drop steps, reorder."""
import re

from tests.conftest import PROCESSES

KAM = PROCESSES / "kam.yaml"
KAM_ESSENTIALS = [
    "rate_accounts", "select_key", "classify", "analyse_business", "map_dmu", "relationship_stage",
    "value_proposition", "account_plan", "approve_plan", "execute_plan", "health_scan",
    "account_review", "objectives_met", "still_key", "exited",
]
_FLOW = r"(next: |\{{to: ){}\b"


def kam_text(*, based_on: str | None = "kam", process_id: str = "acme-kam") -> str:
    text = KAM.read_text(encoding="utf-8").replace("\nid: kam\n", f"\nid: {process_id}\n", 1)
    text = text.replace("\n    essential: true\n", "\n")  # a variant does not redefine what is essential
    if based_on is not None:
        text = text.replace(f"\nid: {process_id}\n", f"\nid: {process_id}\nbased_on: {based_on}\n", 1)
    return text


def rename(text: str, old: str, new: str, label: str | None = None) -> str:
    """Step `old` becomes `new` and implements `old`; flows to it follow."""
    text, count = re.subn(rf"^  - id: {old}\n", f"  - id: {new}\n    implements: [{old}]\n", text, flags=re.M)
    assert count == 1, old
    text = re.sub(_FLOW.format(old), rf"\g<1>{new}", text)
    if label is not None:
        block = re.search(rf"^  - id: {new}\n(?:    .*\n)*", text, flags=re.M)
        text = text[: block.start()] + re.sub(r"^    label: .*$", f"    label: {label}", block.group(), count=1, flags=re.M) + text[block.end():]
    return text


def drop(text: str, step: str, *, rewire_to: str) -> str:
    """Remove a step's block; flows that reached it go to `rewire_to`."""
    text, count = re.subn(rf"^  - id: {step}\n(?:    .*\n|\n(?=    ))*\n?", "", text, flags=re.M)
    assert count == 1, step
    return re.sub(_FLOW.format(step), rf"\g<1>{rewire_to}", text)


def set_next(text: str, step: str, target: str) -> str:
    block = re.search(rf"^  - id: {step}\n(?:    .*\n)*", text, flags=re.M)
    new_block, count = re.subn(r"^    next: .*$", f"    next: {target}", block.group(), count=1, flags=re.M)
    assert count == 1, step
    return text[: block.start()] + new_block + text[block.end():]


def renamed_variant(**kwargs) -> str:
    """The client's own words: five essential steps renamed (with `implements`), a non-essential step
    dropped, and one step that also does the relationship assessment (implements two steps)."""
    text = kam_text(**kwargs)
    text = rename(text, "rate_accounts", "score_accounts", "Score Acme's accounts")
    text = rename(text, "map_dmu", "buying_centre", "Map the buying centre")
    text = rename(text, "account_plan", "joint_plan", "Write the joint account plan")
    text = rename(text, "health_scan", "pulse_check", "Quarterly pulse check")
    text = rename(text, "still_key", "keep_strategic", "Keep as strategic account?")
    text = drop(text, "assign_roles", rewire_to="approve_plan")
    text = drop(text, "relationship_stage", rewire_to="value_proposition")
    text = text.replace("  - id: interview_stakeholders\n", "  - id: interview_stakeholders\n    implements: [relationship_stage]\n", 1)
    return text


def first_target(text_process, step_id: str) -> str:
    """Where a dropped step's flows should go: its first way out, or for an end another end."""
    step = text_process.steps_by_id[step_id]
    if step.type == "end":
        return next(s.id for s in text_process.steps if s.type == "end" and s.id != step_id)
    return text_process.outgoing(step_id)[0].target
