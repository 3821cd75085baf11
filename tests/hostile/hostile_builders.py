"""Shared pieces of the hostile-input corpus: the case table, file writing, and the outcome check."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.scenarios import ScenarioFileErrors, ScenarioLoader
from harness.scenarios.model import ScenarioFile

HERE = Path(__file__).parent
_TABLE = tomllib.loads((HERE / "scenario_cases.toml").read_text(encoding="utf-8"))
BLOCKS: dict[str, str] = _TABLE["blocks"]


@dataclass
class Outcome:
    """What loading one file gave: the loaded file, or the errors it raised."""

    loaded: ScenarioFile | None = None
    errors: list[Any] = field(default_factory=list)


def cases() -> list[dict[str, Any]]:
    return list(_TABLE["case"])


def big_policy(size: int) -> str:
    """A valid identity policy with about `size` characters that IAM counts (whitespace not counted)."""
    resources: list[str] = []
    text = ""
    n = 0
    while len(text) < size:
        resources.append(f"arn:aws:kms:eu-west-3:111122223333:key/{n:08d}-aaaa-bbbb-cccc-dddddddddddd")
        n += 1
        text = json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": resources}],
            },
            separators=(",", ":"),
        )
    return text


def scenario_text(case: dict[str, Any]) -> str:
    text = case["text"]
    for name, block in BLOCKS.items():
        text = text.replace(f"<<{name}>>", "\n" + block.strip("\n") + "\n")
    if "deep_block" in case:  # block (indentation) nesting, one level per line
        text += "".join(" " * (6 + 2 * i) + "-\n" for i in range(case["deep_block"]))
    if "long_description" in case:
        text = text.replace("version: 1\n", f"version: 1\ndescription: {'x' * case['long_description']}\n", 1)
    return text


def write_case(root: Path, case: dict[str, Any]) -> Path:
    for name, content in case.get("files", {}).items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    if "deep_policy" in case:
        depth = case["deep_policy"]
        (root / "policies").mkdir(exist_ok=True)
        (root / "policies" / "p.json").write_text('{"a":' * depth + "1" + "}" * depth, encoding="utf-8")
    if "big_policy" in case:
        target = root / case.get("big_policy_path", "policies/big.json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(big_policy(case["big_policy"]), encoding="utf-8")
    path = root / "s.yaml"
    path.write_text(scenario_text(case), encoding="utf-8")
    return path


def load(path: Path, loader: ScenarioLoader | None = None) -> Outcome:
    """Load one file the way collection does; any exception other than ScenarioFileErrors escapes."""
    try:
        return Outcome(loaded=(loader or ScenarioLoader()).load(path, path.name))
    except ScenarioFileErrors as exc:
        return Outcome(errors=exc.errors)


def assert_error(
    outcome: Outcome, pattern: str, *, file: str = "s.yaml", line: int | None = None, field: str | None = None
) -> None:
    """One error matches `pattern` and names `file`, a line (>= 1 unless line=0) and, if given, field."""
    assert outcome.loaded is None, "the file loaded, but it must be refused"
    assert outcome.errors, "refused without any error"
    matching = [e for e in outcome.errors if re.search(pattern, e.message)]
    assert matching, f"no error matches {pattern!r}: {[str(e) for e in outcome.errors]}"
    error = matching[0]
    assert Path(error.file).name == file, f"the error names {error.file}, expected {file}"
    if line is None:
        assert error.line >= 1, f"the error names no line: {error}"
    else:
        assert error.line == line, f"line {error.line}, expected {line}: {error}"
    if field is not None:
        assert re.search(field, error.field), f"field {error.field!r} does not match {field!r}"
