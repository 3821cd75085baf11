"""Select identities of an account model by name, ARN or glob (`all`, `role/*`, `user/ci-*`).

One place for the rule, shared by scenarios (`principals: all`, override `principal:`) and
`harness who-can`. Pure: it reads an AccountModel and returns its identities.

Rules (docs/scenarios.md, "Selecting principals from the account model"):

- Only users and roles are selected. A group is not a principal: it cannot make a request
  nor be named as a Principal in a policy; its policies reach its users
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html). `group/...` is refused.
- Names are matched without regard to case: IAM user, group and role names are unique within
  an account without regard to case
  (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, RoleName).
  ARN selectors are matched the same way; selecting more never hides a cell.
- `*` matches any run of characters (including `/`), `?` one character, as in IAM's own
  ARN wildcards.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from harness.account.model import ARN_IDENTITY, AccountModel, Identity

ALL = "all"
# Every principal the resource's policy or KMS grants name that is not an identity of the
# model (harness/account/external.py): chosen per resource and action, not here.
EXTERNAL = "external"
PRINCIPAL_KINDS = ("user", "role")


class SelectorForm(StrEnum):
    ALL = "all"  # every user and role
    ARN = "arn"  # matched against the identity's ARN
    KIND = "kind"  # `role/NAME-GLOB`, `user/PATH/NAME-GLOB`
    NAME = "name"  # a bare name or glob, against user and role names


class SelectionError(ValueError):
    """A selector that cannot select anything by construction (a group, an unknown kind)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Selector:
    text: str
    form: SelectorForm
    kind: str | None  # for KIND: user | role
    pattern: str  # casefolded glob; "" for ALL

    def matches_arn(self, arn: str) -> bool:
        """Does this selector name the user or role with this ARN?"""
        match = ARN_IDENTITY.match(arn)
        if match is None or match["kind"] not in PRINCIPAL_KINDS:
            return False
        if self.form is SelectorForm.ALL:
            return True
        if self.form is SelectorForm.ARN:
            return glob_match(self.pattern, arn)
        kind, rest = match["kind"], match["rest"]  # rest: PATH/NAME
        name = rest.rsplit("/", 1)[-1]
        if self.form is SelectorForm.KIND:
            # `role/x` selects by name; `role/service-role/*` by path and name.
            return kind == self.kind and (glob_match(self.pattern, name) or glob_match(self.pattern, rest))
        return glob_match(self.pattern, name)

    def matches_label(self, label: str) -> bool:
        """A bare name or glob against a principal's name under a scenario's `principals:`."""
        return self.form is SelectorForm.NAME and glob_match(self.pattern, label)

    def select(self, model: AccountModel) -> list[Identity]:
        """The model's users and roles this selector names, in the model's order."""
        return [i for i in principal_identities(model) if self.matches_arn(i.arn)]


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def is_selector(text: str) -> bool:
    """Is this text a selection over the model (as opposed to a principal's name or one ARN)?

    `all`, anything with a wildcard, and `kind/name` forms. A plain ARN without wildcard is
    one principal, as it always was; a plain word is a name from the file's `principals:`.
    """
    if text == ALL or has_wildcard(text):
        return True
    return not text.startswith("arn:") and "/" in text


def parse_selector(text: str) -> Selector:
    """A selector from its text; SelectionError for one that can never name a principal."""
    text = text.strip()
    if not text:
        raise SelectionError("an empty principal selector", "write all, role/NAME, user/GLOB or an ARN")
    if text == ALL:
        return Selector(text, SelectorForm.ALL, None, "")
    if text.startswith("arn:"):
        if ":group/" in text:
            raise _group_error(text)
        return Selector(text, SelectorForm.ARN, None, text.casefold())
    if "/" in text:
        kind, _, rest = text.partition("/")
        kind = kind.lower()
        if kind == "group":
            raise _group_error(text)
        if kind not in PRINCIPAL_KINDS or not rest:
            raise SelectionError(
                f"{text!r} is not a principal selector",
                "write role/NAME, user/NAME (wildcards * and ? allowed), all, or an ARN",
            )
        return Selector(text, SelectorForm.KIND, kind, rest.casefold())
    return Selector(text, SelectorForm.NAME, None, text.casefold())


def principal_identities(model: AccountModel) -> Iterable[Identity]:
    """Every user and role of the model (groups are not principals), accounts in file order."""
    for account in model.accounts.values():
        yield from account.users.values()
        yield from account.roles.values()


def select_identities(model: AccountModel, selectors: Iterable[str]) -> list[Identity]:
    """The union of what each selector names, each identity once, in the model's order.

    Raises SelectionError for a malformed selector or one that names no identity: a
    compliance assertion over zero principals would pass without checking anything.
    """
    parsed = [parse_selector(s) for s in selectors]
    chosen: set[str] = set()
    for selector in parsed:
        found = selector.select(model)
        if not found:
            raise no_match_error(selector.text, model)
        chosen.update(i.arn for i in found)
    return [i for i in principal_identities(model) if i.arn in chosen]


def no_match_error(text: str, model: AccountModel) -> SelectionError:
    known = [i.arn for i in principal_identities(model)]
    if not known:
        return SelectionError(
            f"{text!r} selects no identity: the account model {model.path} has no users or roles",
            "add RoleDetailList / UserDetailList entries to the model (docs/account-model.md)",
        )
    more = f" and {len(known) - 5} more" if len(known) > 5 else ""
    shown = ", ".join(_short(a) for a in known[:5]) + more
    return SelectionError(
        f"{text!r} matches no user or role of the account model {model.path}",
        f"its principals: {shown}",
    )


def _short(arn: str) -> str:
    match = ARN_IDENTITY.match(arn)
    return f"{match['kind']}/{match['rest']}" if match else arn


def _group_error(text: str) -> SelectionError:
    return SelectionError(
        f"{text!r} selects a group; a group is not a principal (it cannot make requests)",
        "select its members instead, e.g. user/* (a user's group policies are evaluated with it)",
    )


def glob_match(pattern: str, text: str) -> bool:
    """`*` / `?` glob match of a casefolded pattern, without regard to case."""
    return _glob(pattern, text.casefold())


def string_like(pattern: str, text: str) -> bool:
    """IAM's StringLike: `*` any run of characters, `?` one, case-sensitive
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String).
    """
    return _glob(pattern, text)


def _glob(pattern: str, text: str) -> bool:
    """Two pointers with one backtrack point (the last `*`): O(len(pattern) x len(text)) at
    worst, so a hostile selector such as `*a*a*a*...b` cannot make a regex backtrack for ever.
    """
    p = t = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)
