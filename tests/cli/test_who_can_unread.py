"""`harness who-can --principals external` on a resource whose policy the model does not know.

Who an unread policy names is unknown: each action is an error answer (exit 2), never
"nobody" (exit 1). `*` names no resource whose policy could name anyone: a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.cli.main import main

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:eu-west-3:{ACCOUNT}:key/k1"
QUEUE = f"arn:aws:sqs:eu-west-3:{ACCOUNT}:jobs"


def _model(tmp_path: Path, head: str = "", roles: str = "[]") -> str:
    path = tmp_path / "m.yaml"
    path.write_text(
        f"""{head}accounts:
  - AccountId: "{ACCOUNT}"
    RoleDetailList: {roles}
    ResourcePolicies:
      - {{Arn: "{KEY}", Gap: "kms:ListGrants was refused (AccessDeniedException)"}}
"""
    )
    return str(path)


def _who_can(capsys: Any, *argv: str) -> tuple[int, dict[str, Any], str]:
    code = main(["who-can", *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def test_external_on_a_resource_the_capture_could_not_read_is_an_error_per_action(tmp_path, capsys):
    model = _model(tmp_path)
    code, out, err = _who_can(capsys, "kms:Decrypt", KEY, "--account", model, "--principals", "external")
    assert code == 2
    (entry,) = out["external"]
    assert (entry["scope"], entry["decision"], entry["public"]) == ("unknown", "error", False)
    assert "kms:ListGrants" in entry["error"] and "kms:ListGrants" in err


def test_external_on_a_queue_the_capture_never_read_is_an_error_not_nobody(tmp_path, capsys):
    model = _model(tmp_path, head="capture: {services: [ec2]}\n")
    code, out, _ = _who_can(capsys, "sqs:SendMessage", QUEUE, "--account", model, "--principals", "external")
    assert code == 2
    (entry,) = out["external"]
    assert "--services sqs" in entry["error"]


def test_external_on_every_resource_is_a_usage_error(tmp_path, capsys):
    model = _model(tmp_path)
    code, out, err = _who_can(capsys, "kms:Decrypt", "--account", model, "--principals", "external")
    assert code == 2 and out == {}
    assert "--principals" in err and 'resource "*"' in err and "hint:" in err
