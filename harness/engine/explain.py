"""Human explanations for one evaluated request.

One line for the decision and its reason, one for what would have to change
when denied, then one per statement that did not apply naming the element
that failed (action, resource, principal) or the condition key, operator and
values (the condition module writes those messages).

Lines are built as str.format templates with `{action}` and `{resource}`
placeholders (everything else escaped), so the simulator can reuse them for
every resource that matched the same statements; `render` fills them in.
"""

from __future__ import annotations

from harness.engine.evaluate import Evaluation, Miss, SetResult, escape
from harness.engine.types import Decision


def _label(miss: Miss) -> str:
    st = miss.statement
    name = f"statement {st.index + 1}" + (f" (Sid {st.sid!r})" if st.sid else "")
    return f"{miss.policy.source.source_id} {name} [{st.effect}]"


def _values(values: tuple[str, ...]) -> str:
    shown = ", ".join(values[:4])
    return shown + (f", ... ({len(values)} values)" if len(values) > 4 else "")


def miss_template(miss: Miss) -> str:
    st = miss.statement
    el = miss.element
    if el in _STATIC_ELEMENTS:
        # Action and Resource lines name only the statement: kept on it, per policy id.
        key = (miss.policy.source.source_id, el)
        found = st.miss_lines.get(key)
        if found is None:
            found = st.miss_lines[key] = _miss_template(miss)
        return found
    return _miss_template(miss)


_STATIC_ELEMENTS = frozenset({"Action", "NotAction", "Resource", "NotResource"})


def _miss_template(miss: Miss) -> str:
    st = miss.statement
    label = escape(_label(miss))
    el = miss.element
    if el == "Condition":
        reasons = "; ".join(f.message for f in miss.failures) or "condition not met"
        return f"{label} did not apply: Condition: {escape(reasons)}"
    if el in ("Action", "NotAction"):
        return (
            f"{label} did not apply: {{action}} is not matched by {el} ({escape(_values(st.actions.values))})"
        )
    if el in ("Resource", "NotResource") and st.resources is not None:
        shown = escape(_values(st.resources.values))
        return f"{label} did not apply: {{resource}} is not matched by {el} ({shown})"
    if el in ("Principal", "NotPrincipal") and st.principals is not None:
        named = _values(tuple(f"{t}:{v}" for t, v in st.principals.values))
        return f"{label} did not apply: {escape(miss.detail)} ({escape(named)})"
    return f"{label} did not apply: {escape(miss.detail)}"


def explain_templates(
    ev: Evaluation, *, enforced: Decision | None = None, advisory: str | None = None
) -> tuple[str, ...]:
    lines = [f"{ev.decision.value}: {ev.reason_t}"]
    if ev.decision is not Decision.ALLOWED and ev.remedy_t:
        lines.append(f"to allow: {ev.remedy_t}")
    if advisory:
        lines.append(escape(f"enforced {enforced.value if enforced else '?'}: {advisory}"))
    missing = ev.missing
    if missing:
        lines.append(escape("missing context values: " + ", ".join(missing)))
    groups: list[SetResult | None] = [
        ev.identity,
        ev.boundary,
        ev.session,
        ev.resource,
        *ev.scp_levels,
        *ev.rcp_levels,
    ]
    for group in groups:
        if group is None:
            continue
        for miss in group.misses:
            lines.append(miss_template(miss))
    return tuple(lines)


def render(templates: tuple[str, ...], *, action: str, resource: str) -> tuple[str, ...]:
    return tuple(t.format(action=action, resource=resource) for t in templates)


def explain(
    ev: Evaluation, *, enforced: Decision | None = None, advisory: str | None = None
) -> tuple[str, ...]:
    """The explanation lines for `ev`."""
    req = ev.request
    return render(
        explain_templates(ev, enforced=enforced, advisory=advisory), action=req.action, resource=req.resource
    )
