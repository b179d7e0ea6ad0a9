from kamflow.checks.presets import describe_unknown, unknown_rule_ids
from kamflow.checks.registry import Report, rule


@rule(id="unknown-rule", severity="error", summary="`check.disable` or a step's `ignore` names a rule that does not exist.")
def check(ctx):
    process = ctx.process
    for rule_id, hint in unknown_rule_ids(process.disabled_rules):
        yield Report(process.span_of("check.disable"), f"`check.disable`: {describe_unknown(rule_id, hint)}")
    for step in (step for step in process.steps if step.ignore):  # most steps ignore nothing
        for rule_id, hint in unknown_rule_ids(step.ignore):
            yield Report(step.span_of("ignore"), f"`ignore` of step {step.id!r}: {describe_unknown(rule_id, hint)}", step.id)
