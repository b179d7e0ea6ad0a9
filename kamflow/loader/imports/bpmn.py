"""BPMN 2.0 XML (Signavio, ARIS, ADONIS, Camunda, bpmn.io, Trisotech ...) -> the import IR.

One process per `<process>` that has flow nodes, titled after its pool (participant) or its own
name, and one per expanded subprocess (the subprocess step refers to it). The BPMN namespace may
have any prefix; the XML is read by kamflow.loader.imports.xmltree (no DTD, no entities).

  task, userTask, serviceTask, sendTask, receiveTask, scriptTask, businessRuleTask -> step;
  manualTask -> manual; subProcess, transaction, adHocSubProcess, callActivity -> subprocess;
  startEvent -> start; endEvent -> end; intermediateCatchEvent -> wait (timer, message, signal
  ... : the process waits for it); intermediateThrowEvent -> step; link events -> joined (the
  throw's incoming flows continue after the matching catch); boundaryEvent -> a step (a wait for
  a timer) reached from its host by a flow labelled with the event;
  exclusive, inclusive, complex and event-based gateways that split -> decision, branches named
  after their flows (else the condition, else the target event of an event-based gateway, else
  `default` for the default flow; an unnamed branch is a note); gateways that only merge (or only
  pass through) are folded away, with a note; parallelGateway -> parallel;
  a task with conditional outgoing flows -> a decision (note);
  lanes -> lanes (nested lanes flattened as "Parent / Child"; an unnamed lane around the whole
  pool is dropped); message flows -> notes on both ends (note); data objects and data stores ->
  inputs/outputs (note); text annotations -> notes.
Names keep their text with whitespace collapsed. Diagram geometry is not read.
"""

from __future__ import annotations

from collections import Counter

from kamflow.errors import LoadError, Problem, Span
from kamflow.loader.imports.ir import Flow, Lane, Node, Source, SourceProcess, collapse, readable_id
from kamflow.loader.imports.xmltree import Element, parse_xml

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_TASKS = {"task", "userTask", "serviceTask", "sendTask", "receiveTask", "scriptTask", "businessRuleTask", "manualTask"}
_SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway", "parallelGateway"}
_EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
_KINDS = {
    "timerEventDefinition": "Timer",
    "messageEventDefinition": "Message",
    "signalEventDefinition": "Signal",
    "errorEventDefinition": "Error",
    "escalationEventDefinition": "Escalation",
    "conditionalEventDefinition": "Conditional",
    "compensateEventDefinition": "Compensation",
    "cancelEventDefinition": "Cancel",
    "terminateEventDefinition": "Terminate",
    "linkEventDefinition": "Link",
}
_WORDS = {
    "startEvent": "start event",
    "endEvent": "end event",
    "intermediateCatchEvent": "intermediate catch event",
    "intermediateThrowEvent": "intermediate throw event",
    "boundaryEvent": "boundary event",
}


def read_bpmn(data: bytes, shown: str) -> Source:
    root = parse_xml(data, shown)
    if root.ns != MODEL or root.tag != "definitions":
        raise LoadError([Problem(root.span(shown), f"not a BPMN 2.0 file: the root element is {root.tag!r}, not BPMN's 'definitions'")])
    return _Reader(root, shown).read()


def _name(element: Element) -> str | None:
    return collapse(element.get("name"))


def _kind(element: Element) -> str | None:
    for child in element.children:
        if child.ns == MODEL and child.tag in _KINDS:
            return _KINDS[child.tag]
    return None


class _Reader:
    def __init__(self, root: Element, shown: str):
        self.root, self.shown = root, shown
        self.source = Source(shown, "bpmn")
        self.by_id: dict[str, Element] = {}
        for element in root.iter():
            if element.ns == MODEL and element.get("id"):
                self.by_id.setdefault(element.get("id"), element)
        self.pools: dict[str, Element] = {}
        for participant in self._all("participant"):
            ref = participant.get("processRef")
            if ref:
                self.pools.setdefault(ref, participant)
        self.processes_with_content: set[str] = set()
        self.node_process: dict[str, SourceProcess] = {}  # BPMN flow node id -> the process holding it
        self.nodes: dict[str, Node] = {}
        # kamflow's own export: ids are `Activity_<step id>`, `Process_<id>` ...; the gateways it
        # added (`Gateway_join_*` before a step several flows enter, `Gateway_fork_*` after a step
        # with several flows out) are not steps
        self.ours = root.get("exporter") == "kamflow"
        self.flow_ends: Counter = Counter()  # ("outgoing" | "incoming", node id) -> sequence flows
        for flow in self._all("sequenceFlow"):
            self.flow_ends[("outgoing", flow.get("sourceRef"))] += 1
            self.flow_ends[("incoming", flow.get("targetRef"))] += 1

    def _all(self, tag: str) -> list[Element]:
        return [e for e in self.root.iter() if e.ns == MODEL and e.tag == tag]

    def span(self, element: Element) -> Span:
        return element.span(self.shown)

    def note(self, element: Element, message: str) -> None:
        self.source.note(self.span(element), message)

    def read(self) -> Source:
        processes = [e for e in self.root.children if e.ns == MODEL and e.tag == "process"]
        for process in processes:
            if _has_flow_nodes(process):
                self.processes_with_content.add(process.get("id") or "")
        for process in processes:
            if not _has_flow_nodes(process):
                continue
            pool = self.pools.get(process.get("id") or "")
            caller = next((_name(c) for c in self._all("callActivity") if c.get("calledElement") == process.get("id") and _name(c)), None)
            title = (_name(pool) if pool is not None else None) or _name(process) or caller or process.get("id") or "process"
            self.container(process, process.get("id") or f"process-{process.line}", title, lanes=True)
        if not self.source.processes:
            raise LoadError(
                [Problem(self.span(self.root), "no process content: the file has no process with tasks, events or gateways (an empty export?)")]
            )
        self.message_flows()
        return self.source

    # -- one process or expanded subprocess -----------------------------------------------------
    def container(self, element: Element, key: str, title: str, *, lanes: bool) -> SourceProcess:
        process = SourceProcess(key=key, title=title, span=self.span(element), direction="LR", id_hint=self.hint(key, ("Process_",)))
        self.source.processes.append(process)
        children = [c for c in element.children if c.ns == MODEL]
        names = self.data_names(children)
        conditional: set[str] = set()
        for child in children:
            if child.tag == "sequenceFlow" and child.find("conditionExpression", MODEL) is not None:
                conditional.add(child.get("sourceRef") or "")
        for child in children:
            if child.tag in _TASKS | _SUBPROCESSES | _GATEWAYS | _EVENTS or child.tag == "callActivity":
                node = self.flow_node(child, process, conditional)
                if node is not None:
                    process.nodes.append(node)
                    self.nodes[child.get("id") or ""] = node
                    self.node_process[child.get("id") or ""] = process
                    self.data_associations(child, node, names)
        for child in children:
            if child.tag == "sequenceFlow":
                self.sequence_flow(child, process)
        for child in children:  # exception paths after the normal flow
            if child.tag == "boundaryEvent":
                self.boundary_flow(child, process)
            elif child.tag == "textAnnotation":
                self.annotation(child, children)
            elif child.tag in ("group", "category"):
                self.note(child, f"BPMN {child.tag} {(_name(child) or child.get('id') or '')!r} has no kamflow equivalent; not imported")
        self.link_events(process)
        if lanes:
            self.lanes(element, process)
        return process

    def flow_node(self, element: Element, process: SourceProcess, conditional: set[str]) -> Node | None:
        tag, name, node_id = element.tag, _name(element), element.get("id") or f"node-{element.line}-{element.column}"
        span = self.span(element)
        node = Node(key=node_id, type="step", label=name, span=span, id_hint=self.hint(node_id))
        extra: list[str] = []
        if tag in _TASKS:
            node.type = "manual" if tag == "manualTask" else "step"
            kind = element.get("{urn:kamflow:bpmn}type")
            if self.ours and kind is not None and kind in ("document", "data"):
                node.type = kind
            if tag not in ("task", "manualTask"):
                extra.append(f"BPMN {tag}")
            if element.find("multiInstanceLoopCharacteristics", MODEL) is not None:
                extra.append("BPMN: multi-instance")
            if element.find("standardLoopCharacteristics", MODEL) is not None:
                extra.append("BPMN: loops")
            if node_id in conditional:
                node.type = "decision"
                self.note(element, f"task {name or node_id!r} has conditional outgoing flows: imported as a decision")
        elif tag in _SUBPROCESSES or tag == "callActivity":
            node.type = "subprocess"
            if tag == "callActivity":
                called = element.get("calledElement") or ""
                target = self.by_id.get(called)
                if target is not None and target.tag == "process" and called in self.processes_with_content:
                    node.process, node.child = called, True
                elif _has_flow_nodes(element):
                    child = self.container(element, node_id, name or "Subprocess", lanes=False)
                    node.process, node.child = child.key, True
                elif called:
                    node.process = self.hint(called, ("Process_",)) or (called if readable_id(called) else None)
                    if target is None:
                        what = f"calls {called!r}, which is not in this file"
                    elif target.tag == "process":
                        what = f"calls process {called!r}, which has no content in this file"
                    else:
                        what = f"calls {target.tag} {_name(target) or called!r}, not a process"
                    self.note(
                        element,
                        f"call activity {name or node_id!r} {what}: a subprocess step" + ("" if node.process else " without a linked process"),
                    )
            elif _has_flow_nodes(element):
                child = self.container(element, node_id, name or "Subprocess", lanes=False)
                node.process, node.child = child.key, True
                if element.get("triggeredByEvent") == "true":
                    self.note(element, f"event subprocess {name or node_id!r} is started by its event, not by a flow: its step has no incoming flow")
            else:
                self.note(element, f"subprocess {name or node_id!r} has no content in the file: a subprocess step without a linked process")
            if element.find("multiInstanceLoopCharacteristics", MODEL) is not None:
                extra.append("BPMN: multi-instance")
        elif tag in _GATEWAYS and self.ours and name is None and node_id.startswith(("Gateway_join_", "Gateway_fork_")):
            node.fold = True  # added by kamflow's exporter; the kamflow process had no such step
        elif tag in _GATEWAYS:
            node.type = "parallel" if tag == "parallelGateway" else "decision"
            outgoing = self.count_flows(element, "outgoing")
            incoming = self.count_flows(element, "incoming")
            if outgoing <= 1 and tag != "parallelGateway" or (tag == "parallelGateway" and outgoing <= 1 and incoming <= 1):
                node.fold = True
                what = "only merges" if incoming > 1 else "only passes the flow on"
                self.note(
                    element,
                    f"{tag} {name or node_id!r} {what}: folded away, its incoming flows go straight on"
                    + (f" (its name {name!r} is dropped)" if name else ""),
                )
            elif tag == "inclusiveGateway":
                self.note(element, f"inclusive gateway {name or node_id!r} may take several branches at once: imported as a decision (one branch)")
            elif tag == "complexGateway":
                self.note(element, f"complex gateway {name or node_id!r}: imported as a decision")
        elif tag in _EVENTS:
            kind = _kind(element)
            if tag == "startEvent":
                node.type = "start"
            elif tag == "endEvent":
                node.type = "end"
            elif tag == "intermediateCatchEvent" or (tag == "boundaryEvent" and kind == "Timer"):
                node.type = "wait"
            else:
                node.type = "step"
            if kind == "Link" and tag in ("intermediateCatchEvent", "intermediateThrowEvent"):
                node.fold = True
            if kind:
                extra.append(f"BPMN: {kind.lower()} {_WORDS[tag]}")
                if node.label is None and tag in ("boundaryEvent", "intermediateCatchEvent", "intermediateThrowEvent"):
                    node.label = f"{kind} event"
            if tag in ("intermediateThrowEvent", "boundaryEvent") and not node.fold:
                self.note(element, f"{_WORDS[tag]} {name or node_id!r} becomes " + ("a step" if node.type == "step" else f"a {node.type} step"))
        if extra:
            node.metadata["notes"] = "; ".join(extra)
        return node

    def hint(self, element_id: str, prefixes=("Activity_", "Event_", "Gateway_", "Process_", "Lane_")) -> str | None:
        if not self.ours:
            return None
        for prefix in prefixes:
            if element_id.startswith(prefix) and readable_id(element_id[len(prefix) :]):
                return element_id[len(prefix) :]
        return None

    def count_flows(self, element: Element, direction: str) -> int:
        listed = element.findall(direction, MODEL)
        if listed:
            return len(listed)
        return self.flow_ends[(direction, element.get("id"))]

    def sequence_flow(self, element: Element, process: SourceProcess) -> None:
        source, target = element.get("sourceRef") or "", element.get("targetRef") or ""
        if source not in self.nodes or target not in self.nodes:
            missing = source if source not in self.nodes else target
            self.note(element, f"sequence flow {element.get('id')!r} refers to {missing!r}, which is not a flow node here; not imported")
            return
        label = _name(element)
        source_node = self.nodes[source]
        if label is None:
            condition = element.find("conditionExpression", MODEL)
            if condition is not None and collapse(condition.text):
                label = collapse(condition.text)
            elif self.by_id.get(source) is not None and self.by_id[source].get("default") == element.get("id"):
                label = "default"
            elif source_node.type == "decision" and not source_node.fold:
                gateway = self.by_id.get(source)
                target_node = self.nodes[target]
                if gateway is not None and gateway.tag == "eventBasedGateway" and target_node.label:
                    label = target_node.label
                else:
                    self.note(element, f"a branch of {source_node.label or source!r} has no name or condition: it stays unlabelled")
        process.flows.append(Flow(source, target, label, self.span(element)))

    def boundary_flow(self, element: Element, process: SourceProcess) -> None:
        host = element.get("attachedToRef") or ""
        node = self.nodes.get(element.get("id") or "")
        if node is None or host not in self.nodes:
            self.note(
                element, f"boundary event {element.get('id')!r} is attached to {host!r}, which is not an activity here; it has no incoming flow"
            )
            return
        interrupting = element.get("cancelActivity", "true") != "false"
        label = _kind(element) or node.label or "Event"
        if not interrupting:
            label = f"{label} (non-interrupting)"
        process.flows.append(Flow(host, node.key, label, self.span(element)))

    def link_events(self, process: SourceProcess) -> None:
        """A link throw event continues at the catch event with the same link name."""
        catches: dict[str, Node] = {}
        throws: list[tuple[str, Node]] = []
        for node in process.nodes:
            element = self.by_id.get(node.key)
            if element is None or not node.fold or element.tag not in ("intermediateCatchEvent", "intermediateThrowEvent"):
                continue
            link = element.find("linkEventDefinition", MODEL)
            name = collapse(link.get("name")) if link is not None else None
            name = name or _name(element) or ""
            if element.tag == "intermediateCatchEvent":
                catches.setdefault(name, node)
            else:
                throws.append((name, node))
        for name, node in throws:
            catch = catches.get(name)
            if catch is None:
                node.fold = False
                node.type = "step"
                self.note(self.by_id[node.key], f"link event {name!r} has no matching catch event: kept as a step")
            else:
                process.flows.append(Flow(node.key, catch.key, None, node.span))
                self.note(self.by_id[node.key], f"link event {name!r} joined to its catch event: the flow goes straight on")
        for name, catch in catches.items():
            if not any(n == name for n, _ in throws):
                catch.fold = False
                catch.type = "step"
                self.note(self.by_id[catch.key], f"link event {name!r} has no matching throw event: kept as a step")

    def data_names(self, children: list[Element]) -> dict[str, str]:
        names: dict[str, str] = {}
        for child in children:
            if child.tag in ("dataObjectReference", "dataStoreReference", "dataObject", "dataInput", "dataOutput", "property"):
                target = self.by_id.get(child.get("dataObjectRef") or child.get("dataStoreRef") or "")
                name = _name(child) or (_name(target) if target is not None else None) or child.get("id") or "data"
                names[child.get("id") or ""] = name
                if child.tag in ("dataObjectReference", "dataStoreReference"):
                    self.note(child, f"data {'store' if 'Store' in child.tag else 'object'} {name!r} becomes inputs/outputs of the steps that use it")
        return names

    def data_associations(self, element: Element, node: Node, names: dict[str, str]) -> None:
        for association in element.children:
            if association.tag == "dataInputAssociation":
                for ref in association.findall("sourceRef", MODEL):
                    name = names.get((ref.text or "").strip())
                    if name:
                        node.metadata.setdefault("inputs", []).append(name)
            elif association.tag == "dataOutputAssociation":
                for ref in association.findall("targetRef", MODEL):
                    name = names.get((ref.text or "").strip())
                    if name:
                        node.metadata.setdefault("outputs", []).append(name)

    def annotation(self, element: Element, siblings: list[Element]) -> None:
        text_element = element.find("text", MODEL)
        text = collapse(text_element.text if text_element is not None else None)
        if not text:
            return
        for association in siblings:
            if association.tag != "association":
                continue
            ends = {association.get("sourceRef"), association.get("targetRef")}
            if element.get("id") in ends:
                for end in ends:
                    node = self.nodes.get(end or "")
                    if node is not None:
                        current = node.metadata.get("notes")
                        node.metadata["notes"] = f"{current}; {text}" if current else text
                        return
        self.note(element, f"text annotation {text!r} is attached to no step; not imported")

    def message_flows(self) -> None:
        for flow in self._all("messageFlow"):
            ends = []
            for ref in (flow.get("sourceRef") or "", flow.get("targetRef") or ""):
                node = self.nodes.get(ref)
                element = self.by_id.get(ref)
                ends.append((node, _name(element) if element is not None else None) if node is not None else (None, self.pool_name(ref)))
            (source, source_name), (target, target_name) = ends
            name = _name(flow)
            words = f"message {name!r}" if name else "message"
            if source is not None:
                _add_note(source, f"Sends {words} to {target.label if target is not None and target.label else target_name or 'another pool'}")
            if target is not None:
                _add_note(target, f"Receives {words} from {source.label if source is not None and source.label else source_name or 'another pool'}")
            self.note(flow, f"message flow {name or flow.get('id')!r} between pools is kept as notes on its ends, not as a flow")

    def pool_name(self, ref: str) -> str | None:
        element = self.by_id.get(ref)
        return _name(element) if element is not None else None

    # -- lanes -----------------------------------------------------------------------------------
    def lanes(self, element: Element, process: SourceProcess) -> None:
        lane_set = element.find("laneSet", MODEL)
        if lane_set is None:
            return
        tops = lane_set.findall("lane", MODEL)
        all_ids = {n.key for n in process.nodes}
        if len(tops) == 1 and _name(tops[0]) is None:
            refs = {(r.text or "").strip() for r in tops[0].findall("flowNodeRef", MODEL)}
            if refs >= all_ids or not refs:
                self.note(tops[0], "an unnamed lane around the whole pool is dropped")
                inner = tops[0].find("childLaneSet", MODEL)
                tops = inner.findall("lane", MODEL) if inner is not None else []
        leaves: list[tuple[Element, str]] = []

        def walk(lane: Element, prefix: str) -> None:
            label = _name(lane) or ""
            full = f"{prefix} / {label}" if prefix and label else (prefix or label)
            child_set = lane.find("childLaneSet", MODEL)
            children = child_set.findall("lane", MODEL) if child_set is not None else []
            if children:
                direct = {(r.text or "").strip() for r in lane.findall("flowNodeRef", MODEL)}
                below = {(r.text or "").strip() for c in children for r in c.iter() if r.tag == "flowNodeRef"}
                if direct - below:
                    leaves.append((lane, full))
                for child in children:
                    walk(child, full)
            else:
                leaves.append((lane, full))

        for top in tops:
            walk(top, "")
        for index, (lane, label) in enumerate(leaves, 1):
            if not label:
                label = f"Lane {index}"
                self.note(lane, f"a lane without a name is called {label!r}")
            key = lane.get("id") or f"lane-{index}"
            process.lanes.append(Lane(key, label, self.span(lane), id_hint=self.hint(key, ("Lane_",))))
            for ref in lane.findall("flowNodeRef", MODEL):
                node = self.nodes.get((ref.text or "").strip())
                if node is not None and self.node_process.get(node.key) is process:
                    node.lane = key  # the deepest lane listing it wins (children come later)
        for inner in element.iter():
            if inner.tag == "boundaryEvent":  # drawn on its host: in the host's lane
                node, host = self.nodes.get(inner.get("id") or ""), self.nodes.get(inner.get("attachedToRef") or "")
                if node is not None and host is not None and node.lane is None:
                    node.lane = host.lane


def _add_note(node: Node, text: str) -> None:
    current = node.metadata.get("notes")
    node.metadata["notes"] = f"{current}; {text}" if current else text


def _has_flow_nodes(element: Element) -> bool:
    return any(c.ns == MODEL and (c.tag in _TASKS | _SUBPROCESSES | _GATEWAYS | _EVENTS or c.tag == "callActivity") for c in element.children)
