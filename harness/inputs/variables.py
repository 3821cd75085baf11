"""Scenario variables: `${name}` in string values, with defaults in the file and overrides.

Only a plain identifier between the braces is a scenario variable. Anything
else is left for IAM to interpret: policy variables such as `${aws:username}`,
`${aws:PrincipalTag/team}` and the escapes `${*}`, `${?}`, `${$}`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
`$${name}` writes a literal `${name}`.

Precedence, highest first: command line (`--iam-var name=value`), environment
(`IAM_HARNESS_VAR_<name>`), pytest ini (`iam_vars`), the file's `vars:`.

Substitution happens on parsed values only, never on text that is parsed
afterwards: a policy document is parsed first and `${name}` is replaced inside
its string tokens, each re-encoded as a JSON string (`substitute_json`), so no
value, whatever quotes or brackets it holds, can add a statement or change a
document's structure. Values with control characters are refused, and values
whose name says their shape (account ids, Regions, the partition, role names) are checked
against it (`check_value`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping

VAR_PATTERN = re.compile(r"\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}")
ENV_PREFIX = "IAM_HARNESS_VAR_"


class UndefinedVariable(Exception):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known

    def suggestion(self) -> str:
        close = difflib.get_close_matches(self.name, self.known, n=1)
        if close:
            return f"did you mean ${{{close[0]}}}?"
        return (
            f"define it under `vars:` in the file, pass --iam-var {self.name}=VALUE "
            f"or set {ENV_PREFIX}{self.name}"
        )


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Replace `${name}`; raise UndefinedVariable for a name with no value."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped:
            return "${" + name + "}"
        if name not in variables:
            raise UndefinedVariable(name, sorted(variables))
        return variables[name]

    return VAR_PATTERN.sub(replace, text)


# In a valid JSON text every `"` outside a string opens one, so scanning for string
# tokens from the left finds exactly the document's strings (keys and values).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def substitute_json(text: str, variables: Mapping[str, str]) -> str:
    """`${name}` replaced inside the string tokens of the JSON document `text`.

    The text is parsed first (json.JSONDecodeError for invalid JSON); each string
    token is decoded, substituted and encoded again on the same line, so line
    numbers of the submitted text still hold and the document's structure is the
    one written, whatever the values contain.
    """
    json.loads(text)
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if "$" not in token:
            return token
        value = json.loads(token)
        new = substitute(value, variables)
        return token if new == value else json.dumps(new, ensure_ascii=False)

    return _JSON_STRING.sub(replace, text)


def substitute_tree(value: object, variables: Mapping[str, str]) -> object:
    """`${name}` replaced in every string (keys too) of parsed JSON data; the shape is kept."""
    if isinstance(value, str):
        return substitute(value, variables)
    if isinstance(value, dict):
        return {substitute(str(k), variables): substitute_tree(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_tree(v, variables) for v in value]
    return value


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Names that say what a value is; a value of another shape is refused, because it
# would land in an ARN's account or Region field and change which ARN is meant.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
_SHAPES: tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...] = (
    (re.compile(r"^(.*_)?account(_id)?$"), re.compile(r"^\d{12}$"), "an account id is 12 digits"),
    (
        re.compile(r"^(.*_)?region$"),
        re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$"),
        "a Region code looks like eu-west-3",
    ),
    (
        re.compile(r"^partition$"),
        re.compile(r"^aws(-[a-z]+)*$"),
        "a partition is aws, aws-cn, aws-us-gov, ...",
    ),
    # A role name lands after `role/` in ARNs; `*` or `/` there would name other principals.
    # RoleName: 1-64 characters of [\w+=,.@-]
    # (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
    (
        re.compile(r"^(.*_)?role$"),
        re.compile(r"^[A-Za-z0-9_+=,.@-]{1,64}$"),
        "a role name is 1 to 64 letters, digits and +=,.@_- (the name, not the ARN)",
    ),
)


def check_value(name: str, value: str) -> str | None:
    """Why a variable's value is refused, or None when it is acceptable."""
    bad = _CONTROL.search(value)
    if bad:
        return f"the value of {name} holds a control character ({bad.group(0)!r}): a value is one line"
    for name_shape, value_shape, rule in _SHAPES:
        if name_shape.match(name.lower()) and value and not value_shape.match(value):
            return f"{rule}, got {value!r} for {name}"
    return None


def environment_overrides(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    env = os.environ if environ is None else environ
    return {
        k[len(ENV_PREFIX) :]: v for k, v in env.items() if k.startswith(ENV_PREFIX) and k[len(ENV_PREFIX) :]
    }


def parse_assignments(items: list[str] | tuple[str, ...], origin: str) -> dict[str, str]:
    """`["a=1", "b=x=y"]` -> {"a": "1", "b": "x=y"}; ValueError names the bad item."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"{origin}: {item!r} is not NAME=VALUE (NAME is a plain identifier)")
        out[name] = value
    return out
