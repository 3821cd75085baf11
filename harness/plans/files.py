"""A plan file of either kind: a Terraform plan (JSON with `format_version`) or a CloudFormation
template (JSON or YAML with `Resources`)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from harness.plans.cfn_yaml import load_template_yaml
from harness.plans.changes import Plan
from harness.plans.cloudformation import template_plan
from harness.plans.errors import PlanError
from harness.plans.reading import parse_json, read_plan_text
from harness.plans.terraform import terraform_plan

_NEITHER = "neither a Terraform plan (format_version) nor a CloudFormation template (Resources)"


def load_plan(path: Path, variables: Mapping[str, str] | None = None, display: str | None = None) -> Plan:
    """The whole file read and checked, or PlanError: never a partly read plan. `display` is the
    name errors, sources and reports use (a path relative to the harness root)."""
    file = display or str(path)
    text = read_plan_text(path, file)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if text.lstrip()[:1] in ("{", "["):
        doc = parse_json(text, file)
        if isinstance(doc, dict) and "format_version" in doc:
            return replace(terraform_plan(doc, file), sha256=digest)
        # A JSON template is YAML too: read again for its lines (bounded: already parsed once).
    doc = load_template_yaml(text, file)
    if not isinstance(doc, dict) or "Resources" not in doc:
        raise PlanError(file, "", _NEITHER)
    return replace(template_plan(doc, file, dict(variables or {})), sha256=digest)
