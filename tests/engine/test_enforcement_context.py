"""The context a real request carries (enforcement.enforcement_context)."""

from __future__ import annotations

import ast
import inspect
import textwrap

from harness.engine import enforcement
from harness.engine.context import ContextValue, RequestContext
from harness.engine.enforcement import enforcement_context
from harness.engine.evaluate import Request
from harness.engine.principals import parse_caller

USER = "arn:aws:iam::111122223333:user/alice"


def _request(ctx: RequestContext | None = None) -> Request:
    return Request(
        "s3:GetObject",
        "arn:aws:s3:::bucket/key",
        parse_caller(USER),
        ctx if ctx is not None else RequestContext(),
        "111122223333",
        "444455556666",
        action_lower="s3:getobject",
    )


def test_the_shortcut_knows_every_key_the_function_fills() -> None:
    # enforcement_context returns early when the policies reference none of _FILLABLE:
    # a key filled but missing there would never be filled.
    tree = ast.parse(textwrap.dedent(inspect.getsource(enforcement_context)))
    asked = {
        node.left.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.ops[0], ast.In)
        and isinstance(node.comparators[0], ast.Name)
        and node.comparators[0].id == "todo"
    }
    assert asked == enforcement._FILLABLE


def test_only_referenced_keys_the_caller_did_not_supply_are_filled_in_order() -> None:
    supplied = RequestContext([ContextValue("aws:PrincipalArn", ("arn:aws:iam::111122223333:user/x",))])
    ctx = enforcement_context(_request(supplied), set(enforcement._FILLABLE))
    assert ctx is not None
    assert [(v.key, v.values, v.type) for v in ctx] == [
        ("aws:PrincipalArn", ("arn:aws:iam::111122223333:user/x",), "string"),
        ("aws:PrincipalAccount", ("111122223333",), "string"),
        ("aws:PrincipalType", ("User",), "string"),
        ("aws:username", ("alice",), "string"),
        ("aws:PrincipalIsAWSService", ("false",), "boolean"),
        ("aws:ResourceAccount", ("444455556666",), "string"),
    ]


def test_nothing_is_filled_for_policies_that_reference_none_of_the_keys() -> None:
    assert enforcement_context(_request(), {"aws:sourceip", "s3:prefix"}) is None
    assert enforcement_context(_request(), set()) is None
