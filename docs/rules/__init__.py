"""The check rules' documentation pages (one <rule-id>.md each), installed as `kamflow.rule_docs`
so that `kamflow rules ID` can print them from any installation."""
