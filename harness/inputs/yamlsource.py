"""YAML (and JSON) loading that remembers where every value was written.

PyYAML's composer gives nodes with start marks; we turn them into plain
dicts and lists that also carry the line of each key and item, so that a
validation error can name the exact line. Timestamps are not resolved (a
policy's `Version: 2012-10-17` must stay a string), and the original text of
every scalar is kept so `account: 012345678910` keeps its leading zero.

Hostile input is normal input here: bytes that are not UTF-8, a NUL, a UTF-16
file, a document nested thousands deep or a tag such as
`!!python/object/apply` is one ScenarioError naming the file and line, never
an exception that escapes (docs/scenarios.md, "What the loader refuses").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.inputs.errors import ScenarioError
from harness.inputs.textfiles import MAX_DEPTH, FileProblem, nesting_line, read_text_checked


class LDict(dict):
    """A mapping with the line of each key (1-based) and the raw text of scalar values."""

    line: int = 0
    key_lines: dict[str, int]
    raw: dict[str, str]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence with the line of each item and the raw text of scalar items."""

    line: int = 0
    item_lines: list[int]
    raw: dict[int, str]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver; counts the nodes it expands."""

    expanded = 0


# Aliases can make a small file expand exponentially ("billion laughs"); real
# scenario and account files are far below this.
MAX_NODES = 200_000

# The YAML core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution) plus `<<` merge keys.
# Any other tag (`!!python/object/apply`, `!!binary`, `!!set`, a local `!tag`) is refused: SafeLoader
# would either ignore it or build a value of a type no field takes.
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge")
)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_located(text: str, file: str) -> Any:
    """Parse one YAML document into LDict/LList/scalars; raise ScenarioError on bad syntax."""
    too_deep = nesting_line(text)
    if too_deep:
        raise ScenarioError(
            file,
            too_deep,
            "",
            f"the document nests more than {MAX_DEPTH} levels deep",
            "no scenario file, account model or policy needs this; look for unclosed [ or {",
        )
    loader: _Loader | None = None
    try:
        # The reader checks for NUL and other non-printable characters as soon as it is built.
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(loader, node, file, "")
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError(
            file,
            line,
            "",
            f"character U+{exc.character:04X} is not allowed in YAML ({exc.reason})",
            "remove it; a file with NUL bytes is often UTF-16: save it as UTF-8",
        ) from None
    except RecursionError:
        raise ScenarioError(file, 0, "", "the document nests too deeply to read") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or "invalid YAML"
        raise ScenarioError(file, line, "", f"YAML syntax error: {problem}", _yaml_hint(problem)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, 0, "", f"YAML syntax error: {exc}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_located_file(path: Path, display: str | None = None) -> Any:
    shown = display or str(path)
    try:
        text = read_text_checked(path)
    except FileProblem as exc:
        raise ScenarioError(shown, exc.line, "", exc.message, exc.hint) from None
    return load_located(text, shown)


def _yaml_hint(problem: str) -> str:
    if "found character '\\t'" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ' (for example condition keys in a flow mapping)"
    return ""


def _check_tag(node: yaml.Node, file: str, path: str) -> None:
    if node.tag not in STANDARD_TAGS:
        raise ScenarioError(
            file,
            node.start_mark.line + 1,
            path or "(document)",
            f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed",
            "only plain YAML values (strings, numbers, booleans, null, lists, mappings) are read; "
            "quote the value if the ! is part of it",
        )


def _convert(loader: _Loader, node: yaml.Node, file: str, path: str, depth: int = 0) -> Any:
    _check_node(loader, node, file, path, depth)
    if isinstance(node, yaml.MappingNode):
        return _mapping(loader, node, file, path, depth)
    if isinstance(node, yaml.SequenceNode):
        return _sequence(loader, node, file, path, depth)
    return loader.construct_object(node, deep=True)


def _check_node(loader: _Loader, node: yaml.Node, file: str, path: str, depth: int) -> None:
    """Refuse a node with a tag outside the core schema, too deep, or past the node budget."""
    loader.expanded += 1
    _check_tag(node, file, path)
    if depth > MAX_DEPTH:
        raise ScenarioError(
            file,
            node.start_mark.line + 1,
            path or "(document)",
            f"the document nests more than {MAX_DEPTH} levels deep",
        )
    if loader.expanded > MAX_NODES:
        raise ScenarioError(
            file,
            node.start_mark.line + 1,
            path or "(document)",
            f"the document expands to more than {MAX_NODES:,} YAML nodes",
            "YAML aliases (*name) repeated inside each other multiply; write the values out",
        )


def _mapping(loader: _Loader, node: yaml.MappingNode, file: str, path: str, depth: int) -> LDict:
    # Keys written in this mapping, as opposed to keys brought in by `<<: *anchor`:
    # an explicit key may override a merged one (YAML merge semantics), but
    # two explicit keys with the same name are a mistake.
    own = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
    loader.flatten_mapping(node)  # resolves merge keys: merged pairs first, later ones win
    explicit: set[str] = set()
    out = LDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.raw = {}
    for key_node, value_node in node.value:
        _check_tag(key_node, file, path)
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else str(key)
        line = key_node.start_mark.line + 1
        is_own = id(key_node) in own
        if key in out and is_own and key in explicit:
            raise ScenarioError(
                file,
                line,
                f"{path}.{key}" if path else key,
                f"duplicate key {key!r} (first written on line {out.key_lines[key]})",
                "remove one of them: YAML would silently keep only the last",
            )
        if is_own:
            explicit.add(key)
        child = f"{path}.{key}" if path else key
        out[key] = _convert(loader, value_node, file, child, depth + 1)
        out.key_lines[key] = line
        if isinstance(value_node, yaml.ScalarNode):
            out.raw[key] = value_node.value
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode, file: str, path: str, depth: int) -> LList:
    seq = LList()
    seq.line = node.start_mark.line + 1
    seq.item_lines = []
    seq.raw = {}
    for i, item in enumerate(node.value):
        seq.append(_convert(loader, item, file, f"{path}[{i}]", depth + 1))
        seq.item_lines.append(item.start_mark.line + 1)
        if isinstance(item, yaml.ScalarNode):
            seq.raw[i] = item.value
    return seq


def plain(value: Any) -> Any:
    """Strip location info: LDict/LList -> dict/list (for json.dumps of inline policies)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
