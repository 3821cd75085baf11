"""Scenario variables: `${name}` in string values, with defaults in the file and overrides.

Only a plain identifier between the braces is a scenario variable. Anything
else is left for IAM to interpret: policy variables such as `${aws:username}`,
`${aws:PrincipalTag/team}` and the escapes `${*}`, `${?}`, `${$}`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
`$${name}` writes a literal `${name}`.

Precedence, highest first: command line (`--iam-var name=value`), environment
(`IAM_HARNESS_VAR_<name>`), pytest ini (`iam_vars`), the file's `vars:`.
"""

from __future__ import annotations

import difflib
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
