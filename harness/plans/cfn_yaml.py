"""A CloudFormation template's YAML (or JSON) read safely, with the line of every key and item.

The short-form intrinsic tags become their long form (`!Ref X` -> `{"Ref": "X"}`,
`!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` -> `{"Fn::Sub": "s"}`...:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
Any other tag, YAML aliases and merge keys are refused: CloudFormation supports neither
aliases nor hash merges (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html),
and refusing them rules out alias bombs. Nesting and node counts are bounded; no Python
object is ever constructed.
"""

from __future__ import annotations

from typing import Any

import yaml

from harness.inputs.textfiles import nesting_line
from harness.inputs.yamlsource import LDict, LList
from harness.plans.errors import PlanError
from harness.plans.reading import MAX_PLAN_DEPTH

MAX_TEMPLATE_NODES = 500_000
# Short forms AWS documents; `!Condition` is the condition reference inside Fn::And/Or/Not.
SHORT_FORMS = frozenset(
    {
        "Ref", "Sub", "GetAtt", "Join", "Select", "Split", "FindInMap", "GetAZs", "ImportValue",
        "If", "Equals", "And", "Or", "Not", "Base64", "Cidr", "Condition", "Transform", "Length",
        "ToJsonString",
    }
)  # fmt: skip
_CORE = "tag:yaml.org,2002:"
_SCALARS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null"))


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise PlanError(
                self.name,
                f"line {event.start_mark.line + 1}",
                "YAML aliases are not read (CloudFormation has none)",
            )
        return super().compose_node(parent, index)


_NoAliasLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _CORE + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_template_yaml(text: str, file: str) -> Any:
    deep = nesting_line(text, MAX_PLAN_DEPTH)
    if deep:
        raise PlanError(file, f"line {deep}", f"nested deeper than {MAX_PLAN_DEPTH} levels")
    loader = _NoAliasLoader(text)
    loader.name = file
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark else ""
        raise PlanError(file, where, f"not valid YAML: {exc.problem}") from None
    except RecursionError:  # block nesting (indentation) deep enough to exhaust the composer
        raise PlanError(file, "", f"nested deeper than {MAX_PLAN_DEPTH} levels") from None
    except yaml.YAMLError as exc:
        raise PlanError(file, "", f"not valid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()
    if node is None:
        raise PlanError(file, "", "the template is empty")
    return _Builder(loader, file).build(node, 0)


class _Builder:
    def __init__(self, loader: _NoAliasLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.nodes = 0

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        line = node.start_mark.line + 1
        if depth > MAX_PLAN_DEPTH:
            raise PlanError(self.file, f"line {line}", f"nested deeper than {MAX_PLAN_DEPTH} levels")
        if self.nodes > MAX_TEMPLATE_NODES:
            raise PlanError(self.file, f"line {line}", f"more than {MAX_TEMPLATE_NODES:,} YAML nodes")
        tag = node.tag
        if tag.startswith("!"):
            return self._short_form(node, tag[1:], line, depth)
        if isinstance(node, yaml.MappingNode) and tag == _CORE + "map":
            return self._mapping(node, depth)
        if isinstance(node, yaml.SequenceNode) and tag == _CORE + "seq":
            return self._sequence(node, depth)
        if isinstance(node, yaml.ScalarNode) and tag in _SCALARS:
            return self.loader.construct_object(node)
        raise PlanError(self.file, f"line {line}", f"YAML tag {tag!r} is not read in a template")

    def _short_form(self, node: yaml.Node, name: str, line: int, depth: int) -> LDict:
        if name not in SHORT_FORMS:
            raise PlanError(self.file, f"line {line}", f"unknown intrinsic function !{name[:40]}")
        if isinstance(node, yaml.ScalarNode):
            value: Any = str(node.value)
            if name == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.MappingNode):
            value = self._mapping(node, depth)
        else:
            value = self._sequence(node, depth)  # type: ignore[arg-type]
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        out = LDict({key: value})
        out.line, out.key_lines, out.raw = line, {key: line}, {}
        return out

    def _mapping(self, node: yaml.MappingNode, depth: int) -> LDict:
        out = LDict()
        out.line, out.key_lines, out.raw = node.start_mark.line + 1, {}, {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _CORE + "merge" or not isinstance(key_node, yaml.ScalarNode):
                raise PlanError(self.file, f"line {key_line}", "merge keys and complex keys are not read")
            key = str(key_node.value)
            if key in out:
                raise PlanError(self.file, f"line {key_line}", f"duplicate key {key[:80]!r}")
            out[key] = self.build(value_node, depth + 1)
            out.key_lines[key] = key_line
        return out

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> LList:
        out = LList()
        out.line, out.item_lines, out.raw = node.start_mark.line + 1, [], {}
        for item in node.value:
            out.append(self.build(item, depth + 1))
            out.item_lines.append(item.start_mark.line + 1)
        return out
