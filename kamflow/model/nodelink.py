"""The node-link JSON format's name and version: written by exporters/json.py, read back by
loader/jsonsrc.py (one definition, so the two cannot drift)."""

FORMAT = "kamflow-node-link"
FORMAT_VERSION = 1
EDGE_KINDS = ("next", "branch")
