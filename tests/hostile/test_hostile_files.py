"""Hostile bytes and special files: encodings, NUL, UTF-16, devices, FIFOs, links, sizes, paths outside
the tree, hostile --iam-var values. Each is one clear error naming the file and line, or a documented
acceptance; none raises anything but ScenarioFileErrors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile_builders import BLOCKS, Outcome, assert_error, load

from harness.scenarios import ScenarioLoader

VALID = (
    "version: 1\n" + "\n".join(BLOCKS[k].strip("\n") for k in ("POLICIES", "PRINCIPALS", "SCENARIOS")) + "\n"
)
WITH_POLICY_FILE = VALID.replace(BLOCKS["POLICIES"].strip("\n"), "policies: {p: policies/p.json}")
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}'
ACCOUNT_SCENARIO = "version: 1\naccount: accounts/a.yaml\n" + BLOCKS["SCENARIOS_ARN"].strip("\n") + "\n"


def write(root: Path, name: str, data: bytes | str) -> Path:
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return target


def scenario(root: Path, data: bytes | str) -> Outcome:
    return load(write(root, "s.yaml", data))


def with_policy(root: Path, policy: bytes | str) -> Outcome:
    write(root, "policies/p.json", policy)
    return scenario(root, WITH_POLICY_FILE)


# ---------------------------------------------------------------- encodings of the scenario file

# (case id, bytes of s.yaml, error pattern, line)
ENCODINGS = [
    ("latin1-byte", b"version: 1\ndescription: caf\xe9\n" + VALID[11:].encode(), r"not UTF-8: byte 0xe9", 2),
    ("cp1252-quote", b"version: 1\ndescription: \x93quoted\x94\n", r"not UTF-8: byte 0x93", 2),
    ("nul-byte", b"version: 1\ndescription: a\x00b\n", r"contains a NUL byte", 2),
    ("utf16-le-bom", VALID.encode("utf-16"), r"the file is UTF-16", None),
    ("utf16-be-bom", b"\xfe\xff" + VALID.encode("utf-16-be"), r"the file is UTF-16", None),
    ("utf16-without-bom", VALID.encode("utf-16-le"), r"NUL byte \(it looks like UTF-16\)", 1),
    ("utf32-bom", VALID.encode("utf-32"), r"the file is UTF-32", None),
    ("surrogate-bytes", b"version: 1\ndescription: \xed\xa0\x80\n", r"not UTF-8", 2),
    ("truncated-multibyte-at-end", VALID.encode() + b"# \xe2\x82", r"not UTF-8", 8),
    ("overlong-encoding", b"version: 1\ndescription: \xc0\xaf\n", r"not UTF-8", 2),
    ("escaped-bell-in-yaml", b'version: 1\ndescription: "a\x07b"\n', r"not allowed in YAML", 2),
]


@pytest.mark.parametrize(
    ("bad", "pattern", "line"), [c[1:] for c in ENCODINGS], ids=[c[0] for c in ENCODINGS]
)
def test_scenario_file_in_a_hostile_encoding_is_one_error(tmp_path: Path, bad: bytes, pattern: str, line):
    outcome = scenario(tmp_path, bad)
    if line is None:  # a byte-order mark: the whole file
        assert outcome.errors and outcome.errors[0].line == 0
        assert_error(outcome, pattern, line=0)
    else:
        assert_error(outcome, pattern, line=line)


ACCEPTED_ENCODINGS = [
    ("utf8-bom", b"\xef\xbb\xbf" + VALID.encode()),
    ("crlf-line-ends", VALID.replace("\n", "\r\n").encode()),
    ("utf8-multibyte-description", ("version: 1\ndescription: café — ünïcode ✓\n" + VALID[11:]).encode()),
]


@pytest.mark.parametrize("data", [c[1] for c in ACCEPTED_ENCODINGS], ids=[c[0] for c in ACCEPTED_ENCODINGS])
def test_utf8_with_bom_crlf_or_multibyte_text_is_accepted(tmp_path: Path, data: bytes):
    outcome = scenario(tmp_path, data)
    assert outcome.loaded is not None, [str(e) for e in outcome.errors]
    assert len(outcome.loaded.cells) == 1


# ---------------------------------------------------------------- encodings of a policy file


POLICY_ENCODINGS = [
    ("latin1-byte", POLICY.replace('"Allow"', '"Allow", "Sid": "caf\xe9"').encode("latin-1"), r"not UTF-8"),
    ("nul-byte", POLICY.encode() + b"\x00", r"NUL byte"),
    ("utf16-bom", POLICY.encode("utf-16"), r"UTF-16"),
]


@pytest.mark.parametrize(
    ("data", "pattern"), [c[1:] for c in POLICY_ENCODINGS], ids=[c[0] for c in POLICY_ENCODINGS]
)
def test_policy_file_in_a_hostile_encoding_is_an_error_where_it_is_named(tmp_path: Path, data, pattern):
    assert_error(with_policy(tmp_path, data), pattern, line=2, field="^policies.p$")


def test_account_model_in_latin1_is_an_error_naming_the_model(tmp_path: Path):
    write(tmp_path, "accounts/a.yaml", b'accounts:\n  - AccountId: "111122223333"\n    # caf\xe9\n')
    assert_error(scenario(tmp_path, ACCOUNT_SCENARIO), r"not UTF-8", file="a.yaml", line=3)


# ---------------------------------------------------------------- special files, links, sizes, paths


def test_policy_path_to_dev_zero_is_refused_without_reading(tmp_path: Path):
    outcome = scenario(tmp_path, WITH_POLICY_FILE.replace("policies/p.json", "/dev/zero"))
    assert_error(outcome, r"not a regular file", field="policies.p")


def test_policy_path_to_a_fifo_is_refused_without_blocking(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    os.mkfifo(tmp_path / "policies" / "p.json")
    assert_error(scenario(tmp_path, WITH_POLICY_FILE), r"not a regular file")


def test_policy_symlink_to_a_device_is_refused(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.json").symlink_to("/dev/urandom")
    assert_error(scenario(tmp_path, WITH_POLICY_FILE), r"not a regular file")


def test_policy_symlink_loop_is_refused(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.json").symlink_to(tmp_path / "policies" / "p.json")
    assert_error(scenario(tmp_path, WITH_POLICY_FILE), r"cannot read file")


def test_policy_symlink_to_a_regular_file_outside_the_tree_is_followed(tmp_path: Path):
    shared = write(tmp_path, "shared/p.json", POLICY)
    pack = tmp_path / "pack"
    (pack / "policies").mkdir(parents=True)
    (pack / "policies" / "p.json").symlink_to(shared)
    outcome = load(write(pack, "s.yaml", WITH_POLICY_FILE))
    assert outcome.loaded is not None, [str(e) for e in outcome.errors]


def test_policy_path_outside_the_tree_is_read_like_any_other(tmp_path: Path):
    write(tmp_path, "shared/p.json", POLICY)
    outcome = load(
        write(tmp_path / "pack", "s.yaml", WITH_POLICY_FILE.replace("policies/p.json", "../shared/p.json"))
    )
    assert outcome.loaded is not None, [str(e) for e in outcome.errors]


def test_scenario_file_that_is_a_symlink_to_a_device_is_refused(tmp_path: Path):
    (tmp_path / "s.yaml").symlink_to("/dev/zero")
    assert_error(load(tmp_path / "s.yaml"), r"not a regular file", line=0)


def test_scenario_file_over_the_size_cap_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "s.yaml"
    with path.open("wb") as handle:  # sparse: no disk is used
        handle.truncate(17 * 1024 * 1024)
    assert_error(load(path), r"more than the 16,777,216 allowed", line=0)


def test_account_model_that_is_a_device_is_refused(tmp_path: Path):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "a.yaml").symlink_to("/dev/zero")
    assert_error(
        scenario(tmp_path, ACCOUNT_SCENARIO), r"account model accounts/a.yaml not found", field="^account$"
    )


def test_flow_nesting_twenty_thousand_deep_is_one_error(tmp_path: Path):
    assert_error(
        scenario(tmp_path, "version: 1\nscenarios: " + "[" * 20_000), r"nests more than 64 levels", line=2
    )


def test_block_nesting_thousands_deep_is_one_error(tmp_path: Path):
    deep = "version: 1\nscenarios:\n" + "".join(" " * (2 * i) + "-\n" for i in range(3000))
    outcome = scenario(tmp_path, deep)
    assert outcome.errors and outcome.loaded is None
    assert "nest" in outcome.errors[0].message


# ---------------------------------------------------------------- hostile --iam-var / environment values

HOSTILE_OVERRIDES = [
    ("newline", "eu-west-3\nx"),
    ("carriage-return", "eu-west-3\rx"),
    ("nul", "eu\x00west"),
    ("escape-sequence", "\x1b[31mred"),
]


@pytest.mark.parametrize("value", [v for _, v in HOSTILE_OVERRIDES], ids=[i for i, _ in HOSTILE_OVERRIDES])
def test_override_with_a_control_character_is_refused(tmp_path: Path, value: str):
    path = write(tmp_path, "s.yaml", VALID)
    outcome = load(path, ScenarioLoader(overrides={"region": value}))
    assert outcome.loaded is None
    assert any("control character" in e.message and e.field == "vars.region" for e in outcome.errors)


def test_override_closing_a_json_string_cannot_add_a_statement(tmp_path: Path):
    write(
        tmp_path,
        "policies/p.json",
        POLICY.replace('"*"}]', '"arn:aws:kms:eu-west-3:111122223333:key/${key}"}]'),
    )
    path = write(tmp_path, "s.yaml", WITH_POLICY_FILE)
    value = 'k"}, {"Effect": "Allow", "Action": "kms:*", "Resource": "*'
    outcome = load(path, ScenarioLoader(overrides={"key": value}))
    assert outcome.loaded is not None
    import json

    statements = json.loads(outcome.loaded.policies["p"].text)["Statement"]
    assert len(statements) == 1 and statements[0]["Resource"].endswith(value)
