"""Function length in `harness/`: none over 80 lines; over 60 only with a `# long:` comment saying why.

A function's length runs from its `def` line to its last line (decorators not counted; a
nested function counts in its parent's length too). The `# long:` comment sits on the `def`
line, on the line above it, or on the line above the function's first decorator.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import harness

HARD_LIMIT = 80
SOFT_LIMIT = 60
REASON_MARK = "# long:"

PACKAGE = Path(harness.__file__).resolve().parent


@dataclass(frozen=True)
class FunctionLength:
    where: str  # path relative to the package's parent, and the def line: harness/x.py:12
    name: str
    lines: int
    says_why: bool  # a `# long:` comment sits by the def

    def __str__(self) -> str:
        return f"{self.where} {self.name} ({self.lines} lines)"


def _says_why(node: ast.FunctionDef | ast.AsyncFunctionDef, source_lines: list[str]) -> bool:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    candidates = {node.lineno, node.lineno - 1, first - 1}
    return any(REASON_MARK in source_lines[n - 1] for n in candidates if 1 <= n <= len(source_lines))


def _functions() -> Iterator[FunctionLength]:
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        source_lines = text.splitlines()
        shown = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                yield FunctionLength(
                    where=f"{shown}:{node.lineno}",
                    name=node.name,
                    lines=node.end_lineno - node.lineno + 1,
                    says_why=_says_why(node, source_lines),
                )


def test_the_walk_finds_the_package_functions():
    # Guards the two tests below against passing because they saw nothing.
    names = {f.name for f in _functions()}
    assert {"compile_policy", "evaluate_policies", "add_options"} <= names


@pytest.mark.parametrize(
    "source",
    [
        "def f():  # long: one table\n    pass\n",
        "# long: one table\ndef f():\n    pass\n",
        "# long: one table\n@decorated\ndef f():\n    pass\n",
    ],
    ids=["def-line", "line-above", "above-decorator"],
)
def test_a_long_comment_counts_on_the_def_line_or_just_above_the_function(source: str):
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert _says_why(node, source.splitlines())


def test_a_long_comment_elsewhere_does_not_count():
    source = "# long: one table\n\ndef f():\n    pass\n"
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    assert not _says_why(node, source.splitlines())


def test_no_function_is_over_80_lines():
    too_long = [str(f) for f in _functions() if f.lines > HARD_LIMIT]
    assert not too_long, f"over {HARD_LIMIT} lines (split them into named parts):\n" + "\n".join(too_long)


def test_a_function_over_60_lines_says_why_in_a_long_comment():
    unexplained = [str(f) for f in _functions() if SOFT_LIMIT < f.lines <= HARD_LIMIT and not f.says_why]
    assert not unexplained, (
        f"over {SOFT_LIMIT} lines without a {REASON_MARK!r} comment on or above the def "
        "(split them, or say why not):\n" + "\n".join(unexplained)
    )
