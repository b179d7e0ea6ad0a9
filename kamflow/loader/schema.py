"""The process file format (version 1) as data: the loader checks against it and `kamflow schema`
derives a JSON Schema from it, so the two can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field

from kamflow.model.process import STEP_TYPES

FORMAT_VERSION = 1
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"
DIRECTIONS = ("TB", "LR")


@dataclass(frozen=True)
class Field:
    kind: str  # text | id | integer | boolean | enum | text-list | id-list | flow | branches | lanes | steps | check
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    fields: dict[str, "Field"] = field(default_factory=dict)


LANE_FIELDS = {
    "id": Field("id", "Lane id, referenced by steps' `lane`.", required=True),
    "label": Field("text", "The role's name shown in the lane header (defaults to the id)."),
}

STEP_FIELDS = {
    "id": Field("id", "Step id, unique in the process.", required=True),
    "type": Field("enum", "Flowchart symbol and meaning of the step (default: step).", choices=STEP_TYPES),
    "label": Field("text", "Text shown on the chart, kept exactly as written (defaults to the id)."),
    "lane": Field("id", "The lane (role) the step belongs to."),
    "next": Field("flow", "Where the flow goes: an id, a list of ids, or a list of {to, label}."),
    "branches": Field("branches", "Decisions: branch label -> target id (or {to, p}), in order."),
    "process": Field("text", "Subprocess steps: the id or relative path of the linked process."),
    "essential": Field("boolean", "Every process based on this one must implement this step."),
    "implements": Field("id-list", "Ids of reference steps this step implements."),
    "ignore": Field("text-list", "Check rules not to apply to this step."),
    "owner": Field("text", "Who is accountable for the step."),
    "duration": Field("text", "How long the step takes: a number with a unit (30min, 2h, 3d, 1w)."),
    "kpis": Field("text-list", "Key performance indicators measured at this step."),
    "inputs": Field("text-list", "What the step needs."),
    "outputs": Field("text-list", "What the step produces."),
    "notes": Field("text", "Free notes, shown as the step's tooltip and in reports."),
    "link": Field("text", "A URL (http, https or mailto) the step links to."),
    "tags": Field("text-list", "Free tags."),
    "raci": Field(
        "raci",
        "Who is Responsible, Accountable (exactly one), Consulted and Informed: {R: [...], A: ..., C: [...], I: [...]}, naming lanes or roles.",
    ),
}

CHECK_FIELDS = {
    "disable": Field("text-list", "Check rules switched off for this file (say why in a comment)."),
}

TOP_FIELDS = {
    "kamflow": Field("integer", "Format version; must be 1.", required=True),
    "id": Field("id", "Process id; output files are named after it.", required=True),
    "title": Field("text", "Title shown on the chart (defaults to the id)."),
    "description": Field("text", "What the process is for."),
    "direction": Field("enum", "Flow direction: TB (top to bottom, default) or LR.", choices=DIRECTIONS),
    "version": Field("text", "Version of the process description, shown in the title block."),
    "author": Field("text", "Author, shown in the title block."),
    "date": Field("text", "Date of the process description, shown in the title block."),
    "theme": Field("text", "Chart theme: a built-in name or a theme file path."),
    "based_on": Field("text", "The reference process this one conforms to: an id or a relative path."),
    "check": Field("check", "Check settings for this file.", fields=CHECK_FIELDS),
    "lanes": Field("lanes", "Swimlanes (roles) in display order.", fields=LANE_FIELDS),
    "steps": Field("steps", "The steps, in order.", required=True, fields=STEP_FIELDS),
}

METADATA_FIELDS = ("owner", "duration", "kpis", "inputs", "outputs", "notes", "link", "tags", "raci")
