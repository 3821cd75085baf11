"""Hostile files in a real pytest run: each bad file is one error item naming it, the good file's cells
still run, the run exits 2, and no traceback reaches the output."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_builders import BLOCKS

from harness.run.stream import load_document

pytest_plugins = ["pytester"]

GOOD = "version: 1\n" + "".join(BLOCKS[k].strip("\n") + "\n" for k in ("POLICIES", "PRINCIPALS", "SCENARIOS"))
SCENARIOS_ONLY = BLOCKS["PRINCIPALS"].strip("\n") + "\n" + BLOCKS["SCENARIOS"].strip("\n") + "\n"

BAD_FILES: dict[str, bytes] = {
    "latin1.yaml": b"version: 1\ndescription: caf\xe9\n" + SCENARIOS_ONLY.encode(),
    "nul.yaml": b"version: 1\ndescription: a\x00b\n" + SCENARIOS_ONLY.encode(),
    "utf16.yaml": GOOD.encode("utf-16"),
    "deep.yaml": b"version: 1\nscenarios: " + b"[" * 20_000,
    "devzero.yaml": ("version: 1\npolicies: {p: /dev/zero}\n" + SCENARIOS_ONLY).encode(),
    "tagged.yaml": GOOD.replace(
        "version: 1\n", "version: 1\ndescription: !!python/object/apply:os.system [id]\n"
    ).encode(),
    "maybe.yaml": GOOD.replace("Effect: Allow", "Effect: Maybe").encode(),
    "typed.yaml": GOOD.replace(
        "expect: allowed}", "expect: allowed, context: {aws:CurrentTime: {type: date, value: yesterday}}}"
    ).encode(),
    "boom.yaml": GOOD.encode(),  # the loader is made to raise an unexpected exception for this one
}


@pytest.fixture
def hostile_pack(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = pytester.path / "scenarios"
    root.mkdir()
    (root / "good.yaml").write_text(GOOD, encoding="utf-8")
    for name, data in BAD_FILES.items():
        (root / name).write_bytes(data)
    from harness.scenarios import loader as loader_module

    original = loader_module._FileLoader.run

    def run(self):
        if self.file.endswith("boom.yaml"):
            raise KeyError("an exception nobody planned for")
        return original(self)

    monkeypatch.setattr(loader_module._FileLoader, "run", run)
    return root


def test_each_hostile_file_is_one_error_item_and_the_good_file_still_runs(pytester, hostile_pack):
    result = pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1  # the good file's one cell
    assert outcomes.get("errors") == len(BAD_FILES)
    assert result.ret == 2
    text = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in text and "INTERNALERROR" not in text
    for name in BAD_FILES:
        assert f"scenarios/{name}::scenario file" in text, name


def test_each_hostile_file_is_listed_in_run_json_errors_with_a_line(pytester, hostile_pack):
    pytester.runpytest("scenarios", "-p", "no:cacheprovider")
    run = load_document(pytester.path / "reports" / "run.json")
    named = {Path(e["file"]).name for e in run["errors"]}
    assert set(BAD_FILES) <= named
    assert [c["outcome"] for c in run["cells"]] == ["passed"]


def test_unexpected_exception_names_the_file_and_the_exception(pytester, hostile_pack):
    result = pytester.runpytest("scenarios/boom.yaml", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        ["*boom.yaml: could not load the file (KeyError: *an exception nobody planned for*"]
    )
    assert result.ret == 2


def test_utf16_scenario_file_is_collected_not_silently_skipped(pytester, hostile_pack):
    result = pytester.runpytest("scenarios/utf16.yaml", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*utf16.yaml: the file is UTF-16*"])
    assert result.ret == 2
