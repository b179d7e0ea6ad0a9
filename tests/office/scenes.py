"""Hand-made scenes for the PowerPoint writer's tests: small, with every symbol, both axes of
connector and a ghost, so the tests do not depend on the layout."""
from kamflow.model.scene import Badge, Box, Scene, SceneFlow, SceneLane, SceneStep, Text, TitleBlock


def _step(step_id, step_type, x, y, w, h, lane, label, **extra):
    box = Box(x, y, w, h)
    return SceneStep(step_id, step_type, box, Text((label,), box.cx, box.cy, 11.0), lane, **extra)


def _flow(source, target, points, source_side, target_side, kind="next", label=None):
    tip = points[-1]
    text = label_box = None
    if label:
        mx, my = points[len(points) // 2]
        text = Text((label,), mx + 14, my, 9.5)
        label_box = Box(mx + 2, my - 7, 24, 14)
    return SceneFlow(f"flow-{source}-{target}", source, target, kind, tuple(points), source_side, target_side,
                     (tip, tip, tip), label=text, label_box=label_box)


def sample_scene() -> Scene:
    lanes = (
        SceneLane("a", "Team A", 0, Box(20, 60, 200, 500), Box(20, 60, 200, 30), Text(("Team A",), 120, 75, 12.0)),
        SceneLane("b", "Team B", 1, Box(220, 60, 220, 500), Box(220, 60, 220, 30), Text(("Team B",), 330, 75, 12.0)),
    )
    steps = (
        _step("start", "start", 60, 110, 120, 36, "a", "Start"),
        _step("work", "step", 60, 180, 120, 44, "a", "Do the work"),
        _step("ok", "decision", 260, 170, 140, 64, "b", "Done?", marks=(Badge("dead-end", "dead end"),)),
        _step("facts", "data", 250, 270, 160, 40, "b", "Facts"),
        _step("sub", "subprocess", 60, 340, 120, 44, "a", "Sub", subprocess="other"),
        _step("ghost-miss", "step", 260, 420, 140, 44, "b", "Missing: Review", ghost="missing"),
        _step("finish", "end", 60, 480, 120, 36, "a", "Finished", number=5, number_at=(66, 486)),
    )
    flows = (
        _flow("start", "work", [(120, 146), (120, 180)], "bottom", "top"),
        _flow("work", "ok", [(180, 202), (260, 202)], "right", "left"),
        _flow("ok", "facts", [(330, 234), (330, 270)], "bottom", "top", kind="branch", label="Yes"),
        _flow("ok", "work", [(330, 170), (330, 160), (120, 160), (120, 180)], "top", "top", kind="loop", label="No"),
        _flow("facts", "sub", [(330, 310), (330, 325), (120, 325), (120, 340)], "bottom", "top"),
        _flow("sub", "ghost-miss", [(180, 362), (330, 362), (330, 420)], "right", "top", kind="ghost"),
        _flow("ghost-miss", "finish", [(330, 464), (330, 498), (180, 498)], "bottom", "right", kind="ghost"),
    )
    return Scene("sample", "Sample process", "A small process.", "TB", 460, 580, Box(20, 60, 420, 500),
                 TitleBlock(Text(("Sample process",), 20, 30, 16.0), None), steps=steps, lanes=lanes, flows=flows)
