"""bench/managed_frequencies.py: element and operator counts over a folder of policies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from managed_frequencies import count_folder, format_table  # noqa: E402  (a script folder)

MANAGED = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:List*"],
            "Resource": ["*", "arn:aws:s3:::b-${aws:username}/*", "arn:aws:s3:::b-*", "arn:aws:s3:::b"],
            "Condition": {
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a*", "b"]},
                "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
                "Null": {"aws:RequestTag/team": "false"},
            },
        },
        {"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:iam::*:role/x"},
    ],
}
BARE = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}


def test_counts_mamip_files_and_bare_documents_and_skips_unreadable_ones(tmp_path: Path) -> None:
    (tmp_path / "Managed").write_text(json.dumps({"PolicyVersion": {"Document": MANAGED}}))
    (tmp_path / "AsString").write_text(json.dumps({"PolicyVersion": {"Document": json.dumps(BARE)}}))
    (tmp_path / "bare.json").write_text(json.dumps(BARE))
    (tmp_path / "Empty").write_text("")
    freq = count_folder(tmp_path)
    assert (freq.policies, freq.unreadable, freq.statements) == (3, 1, 4)
    assert freq.statements_per_policy == {2: 1, 1: 2}
    assert freq.effects == {"Allow": 3, "Deny": 1}
    assert freq.elements["NotAction"] == freq.elements["NotResource"] == freq.elements["Condition"] == 1


def test_resources_fall_in_one_class_each_and_clauses_are_counted_per_key(tmp_path: Path) -> None:
    (tmp_path / "p").write_text(json.dumps(MANAGED))
    freq = count_folder(tmp_path)
    assert freq.resources == {"*": 1, "with ${...} variable": 1, "wildcarded": 2, "exact": 1}
    assert freq.actions == {"exact": 1, "wildcarded": 2}
    assert freq.operators == {"StringLike": 1, "StringEquals": 1, "Null": 1}
    assert freq.qualifiers == {"ForAnyValue": 1, "IfExists": 1}
    assert freq.keys == {"aws:TagKeys": 1, "aws:ResourceTag/": 1, "aws:RequestTag/": 1}
    assert freq.clauses_per_condition == {3: 1}
    assert freq.condition_values == {"plain": 3, "with ${...} variable": 1}
    assert freq.variables == {"aws:username": 1, "aws:PrincipalTag/": 1}
    assert "StringEquals" in format_table(freq)
