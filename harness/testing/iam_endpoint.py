"""A local IAM/STS endpoint on 127.0.0.1 for tests and benchmarks: moto plus the offline engine.

boto3 talks real HTTP to this endpoint. Every request goes to a moto server
(users, roles, groups, policies, KMS keys, STS) except the two simulate
actions, which moto does not implement: those are parsed from the query
protocol with botocore's own service model and answered by the offline engine
over the account moto holds (read with GetAccountAuthorizationDetails).

`Faults` injects what a real account does to a heavy user: latency per call,
a request-rate limit that answers `Throttling`, scripted errors (N throttles
then success, throttling that never ends, AccessDenied, ExpiredToken, dropped
connections). Every simulate request is recorded, parsed, for assertions on
the exact parameters sent. JSON-protocol calls (KMS: GetKeyPolicy,
DescribeKey, ...) go to moto too; they are counted by operation name, recorded
with their JSON body, and can be given scripted errors the same way.

`SimulatorStyle` chooses which simulator the endpoint plays, per endpoint (and
per caller account, `style_by_account`), so tests cover both:

- `CURRENT` (the default): the simulator as botocore's IAM model of 2026-07-30
  documents it. CallerArn (or, with a ResourcePolicy and no CallerArn, the
  PolicySourceArn it defaults to) may be a user, group or role; an assumed
  role, federated user or service is refused. One EvaluationResult per
  action, its EvalResourceName the ARN template of the resource type (`*` when
  the action has none), every resource's own answer in ResourceSpecificResults.
- `PRE_2026`: the simulator as documented before: any caller but an IAM user
  is refused with `InvalidInput` "Invalid caller - Caller must be an IAM user
  in this context"; one EvaluationResult per action and resource, each under
  its resource's name with the aggregate decision; and an SCP's explicit deny
  reported as implicitDeny (AllowedByOrganizations false).
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import struct
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import boto3
import botocore.session

from harness.engine import Engine
from harness.engine.apishape import input_from_api, output_to_api
from harness.engine.errors import InvalidInput, SimulationError
from harness.engine.principals import parse_caller

if TYPE_CHECKING:
    from harness.account import AccountModel

SIMULATE_ACTIONS = frozenset({"SimulatePrincipalPolicy", "SimulateCustomPolicy"})
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
_READ_PREFIXES = ("Get", "List", "Simulate")


@dataclass(frozen=True)
class ScriptedError:
    code: str
    message: str = "injected"
    status: int = 400
    drop: bool = False  # close the connection without an answer (a network error)
    truncate: bool = False  # answer 200 with a Content-Length larger than the body sent, then close
    reset: bool = False  # reset the connection (TCP RST) instead of answering


THROTTLE = ScriptedError("Throttling", "Rate exceeded", 400)
PRE_2026_REFUSAL = "Invalid caller - Caller must be an IAM user in this context"
CURRENT_REFUSAL = "Invalid caller - Caller must be an IAM user, group, or role in this context"


class SimulatorStyle(StrEnum):
    """Which simulator the endpoint plays (module docstring)."""

    CURRENT = "2026"
    PRE_2026 = "pre-2026"


@dataclass
class Faults:
    """What the endpoint does to requests before answering them (thread-safe via the endpoint lock)."""

    latency: float = 0.0  # seconds added to each simulate call
    rate_limit: float | None = None  # simulate requests per second before `Throttling`
    burst: float = 1.0
    throttle_forever: bool = False
    # action name or "*" -> errors to return, one per request, before answering normally
    scripted: dict[str, list[ScriptedError]] = field(default_factory=dict)
    _tokens: float = 0.0
    _refilled: float = 0.0

    def script(self, action: str, *errors: ScriptedError) -> None:
        self.scripted.setdefault(action, []).extend(errors)

    def take(self, action: str) -> ScriptedError | None:
        for key in (action, "*"):
            queue = self.scripted.get(key)
            if queue:
                return queue.pop(0)
        if action in SIMULATE_ACTIONS:
            if self.throttle_forever:
                return THROTTLE
            if self.rate_limit is not None and not self._take_token():
                return THROTTLE
        return None

    def _take_token(self) -> bool:
        # Token bucket: `rate_limit` per second, at most `burst` saved; refused requests cost nothing.
        now = time.monotonic()
        assert self.rate_limit is not None
        if self._refilled == 0.0:
            self._tokens, self._refilled = self.burst, now
        self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.rate_limit)
        self._refilled = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


class LocalIamEndpoint:
    """Start with `with LocalIamEndpoint() as ep:`; point boto3 at `ep.url`."""

    def __init__(
        self,
        faults: Faults | None = None,
        *,
        engine: Engine | None = None,
        style: SimulatorStyle = SimulatorStyle.CURRENT,
    ) -> None:
        self.faults = faults or Faults()
        self.style = style
        # Caller accounts whose role callers get another style's answer (a run across accounts).
        self.style_by_account: dict[str, SimulatorStyle] = {}
        self._catalog: Any = None
        self.engine = engine or Engine(explain=False)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._engine_lock = threading.Lock()
        self._model: AccountModel | None = None
        self._generation = 0
        self._model_generation = -1
        self._moto: Any = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.moto_url = ""
        self.url = ""
        self._service_model = botocore.session.get_session().get_service_model("iam")
        # moto accounts besides the default one whose identities the simulate calls can see.
        self.accounts: list[str] = []

    # -- lifecycle ------------------------------------------------------

    def start(self) -> LocalIamEndpoint:
        # KMS's models now, with the server: seed.py re-keys keys in this module's backends, and a
        # test that snapshots and restores sys.modules (pytester) must not leave it a second copy.
        import moto.kms.models  # noqa: F401
        from moto.server import ThreadedMotoServer

        # werkzeug logs every request moto serves; tests and benchmarks read results, not logs.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"
        # moto keeps its state per process: start every endpoint from an empty account.
        _post(self.moto_url, "/moto-api/reset", b"")
        endpoint = self

        class Handler(_Handler):
            owner = endpoint

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def reset(self, faults: Faults | None = None, *, style: SimulatorStyle = SimulatorStyle.CURRENT) -> None:
        """Empty account, no faults, no recorded requests: a fresh endpoint without a restart."""
        _post(self.moto_url, "/moto-api/reset", b"")
        with self.lock:
            self.faults = faults or Faults()
            self.style = style
            self.style_by_account.clear()
            self.requests.clear()
            self.calls.clear()
            self.accounts.clear()
            self._model = None
            self._generation += 1

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._moto is not None:
            self._moto.stop()

    def __enter__(self) -> LocalIamEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def client(self, service: str, region: str = "us-east-1", *, account: str | None = None) -> Any:
        """A boto3 client for setting up the account (talks to moto directly, not counted).

        `account` selects another moto account (moto's `x-moto-account-id` header); the
        simulate calls see it once it is listed in `accounts`.
        """
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        ).client(service, endpoint_url=self.moto_url, region_name=region)
        if account is not None:

            def add_header(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-sign", add_header)
        return client

    def simulate_requests(self) -> list[tuple[str, dict[str, Any]]]:
        with self.lock:
            return [(a, p) for a, p in self.requests if a in SIMULATE_ACTIONS]

    # -- answering ------------------------------------------------------

    def handle(self, action: str, form: Mapping[str, str]) -> tuple[int, bytes] | None:
        """An answer for a simulate action, an injected fault, or None to forward to moto."""
        params = self.parse(action, form) if action in SIMULATE_ACTIONS else dict(form)
        with self.lock:
            self.calls[action] += 1
            self.requests.append((action, params))
            fault = self.faults.take(action)
            if not action.startswith(_READ_PREFIXES):
                self._generation += 1
        if action in SIMULATE_ACTIONS and self.faults.latency:
            time.sleep(self.faults.latency)
        if fault is not None:
            if fault.drop:
                return (-1, b"")
            if fault.reset:
                return (-3, b"")
            if fault.truncate and action in SIMULATE_ACTIONS:
                return (-2, _response_xml(action, self.simulate(action, params), self._service_model))
            return fault.status, _error_xml(fault.code, fault.message, fault.status)
        if action not in SIMULATE_ACTIONS:
            return None
        try:
            body = self.simulate(action, params)
        except SimulationError as exc:
            status = 404 if exc.code == "NoSuchEntity" else 400
            return status, _error_xml(exc.code, exc.message, status)
        return 200, _response_xml(action, body, self._service_model)

    def handle_json(self, operation: str, body: bytes) -> tuple[int, bytes] | None:
        """A JSON-protocol call (KMS): recorded, maybe a scripted error, else None to forward to moto."""
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
        with self.lock:
            self.calls[operation] += 1
            self.requests.append((operation, params))
            fault = self.faults.take(operation)
        if fault is None:
            return None
        if fault.drop:
            return (-1, b"")
        return fault.status, json.dumps({"__type": fault.code, "message": fault.message}).encode()

    def simulate(self, action: str, req: dict[str, Any]) -> dict[str, Any]:
        self._check_caller(req)
        max_items = int(req.get("MaxItems") or 100)  # the API's default page size
        marker = req.get("Marker")
        if action == "SimulateCustomPolicy":
            inp = input_from_api(req)
        else:
            inp = self.account_model().simulation_input_from_api(req)
        with self._engine_lock:  # one engine, not made for concurrent use; the GIL serialises it anyway
            output = self.engine.simulate(inp)
        results = output_to_api(output, harness=False)["EvaluationResults"]
        if self.style is SimulatorStyle.PRE_2026:
            results = _pre_2026_results(results)
        else:
            results = [{**r, "EvalResourceName": self._template(r)} for r in results]
        return _page(results, max_items, marker)

    def _check_caller(self, req: Mapping[str, Any]) -> None:
        """Refuse a caller the simulator being played does not take (CallerArn, or its default)."""
        caller = req.get("CallerArn")
        if caller is None and "ResourcePolicy" in req:
            caller = req.get("PolicySourceArn")  # "defaults to the ARN ... in PolicySourceArn"
        if not caller:
            return
        parsed = parse_caller(caller)
        style = self.style_by_account.get(parsed.account or "", self.style)
        if style is SimulatorStyle.PRE_2026 and parsed.kind != "user":
            raise InvalidInput(PRE_2026_REFUSAL)
        if parsed.kind not in ("user", "role") and ":group/" not in caller:
            raise InvalidInput(CURRENT_REFUSAL)

    def _template(self, result: Mapping[str, Any]) -> str:
        """The ARN template of the action's resource type that fits the first resource, else `*`."""
        from harness.catalog import Catalog
        from harness.catalog.resources import arn_fits

        if self._catalog is None:
            self._catalog = Catalog()
        try:
            types = self._catalog.resource_types_of(str(result["EvalActionName"]))
        except Exception:  # an action the catalog does not know: no ARN format
            return "*"
        first = (result.get("ResourceSpecificResults") or [{}])[0].get("EvalResourceName") or ""
        fitting = [t for t in types if first and arn_fits(t.arn_template, first)]
        chosen = fitting or types
        return chosen[0].arn_template if chosen else "*"

    def account_model(self) -> AccountModel:
        with self.lock:
            if self._model is not None and self._model_generation == self._generation:
                return self._model
            generation = self._generation
        model = account_model_from_moto(self.client("iam"))
        for account in self.accounts:
            other = account_model_from_moto(self.client("iam", account=account), account_id=account)
            model.accounts.update(other.accounts)
        with self.lock:
            self._model, self._model_generation = model, generation
        return model

    def parse(self, action: str, form: Mapping[str, str]) -> dict[str, Any]:
        shape = self._service_model.operation_model(action).input_shape
        return _parse_structure(shape, form, "")


def account_model_from_moto(iam: Any, account_id: str = "123456789012") -> AccountModel:
    """The account moto holds, as the offline account model (same data as GetAccountAuthorizationDetails)."""
    # Imported here: importing harness.account first, on its own, runs into an import cycle.
    import harness.scenarios  # noqa: F401
    from harness.account import Account, AccountModel, Identity, InlinePolicy, ManagedPolicy

    details: dict[str, list[Any]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": []}
    details["Policies"] = []
    for page in iam.get_paginator("get_account_authorization_details").paginate(
        Filter=["User", "Role", "Group", "LocalManagedPolicy"]
    ):
        for key in details:
            details[key].extend(page.get(key, []))
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList"):
        for entry in details[key]:
            account_id = entry["Arn"].split(":")[4]
            break
    account = Account(account_id=account_id, organization_path=())
    attached_arns: set[str] = set()
    for key, kind, name_key, policies_key, table in (
        ("UserDetailList", "user", "UserName", "UserPolicyList", account.users),
        ("GroupDetailList", "group", "GroupName", "GroupPolicyList", account.groups),
        ("RoleDetailList", "role", "RoleName", "RolePolicyList", account.roles),
    ):
        for entry in details[key]:
            ident = Identity(kind=kind, name=entry[name_key], arn=entry["Arn"])
            for p in entry.get(policies_key, []):
                ident.inline.append(
                    InlinePolicy(p["PolicyName"], _doc(p["PolicyDocument"]), f"moto {p['PolicyName']}")
                )
            ident.attached = [a["PolicyArn"] for a in entry.get("AttachedManagedPolicies", [])]
            attached_arns.update(ident.attached)
            boundary = entry.get("PermissionsBoundary")
            if boundary:
                ident.boundary_arn = boundary["PermissionsBoundaryArn"]
                attached_arns.add(ident.boundary_arn)
            ident.tags = {t["Key"]: t["Value"] for t in entry.get("Tags", [])}
            ident.groups = list(entry.get("GroupList", []))
            table[ident.name] = ident
    for p in details["Policies"]:
        version = next((v for v in p["PolicyVersionList"] if v.get("IsDefaultVersion")), None)
        if version is not None:
            account.policies[p["Arn"]] = ManagedPolicy(
                p["Arn"], p["PolicyName"], _doc(version["Document"]), f"moto {p['Arn']}"
            )
    for arn in attached_arns - set(account.policies):  # AWS managed policies, fetched only when used
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        account.policies[arn] = ManagedPolicy(
            arn, policy["PolicyName"], _doc(version["PolicyVersion"]["Document"]), f"moto {arn}"
        )
    return AccountModel(path="moto", accounts={account_id: account})


def _doc(document: Any) -> str:
    if isinstance(document, str):
        return urllib.parse.unquote(document) if document.startswith("%7B") else document
    return json.dumps(document, indent=2)


def _pre_2026_results(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer as the simulator gave it before July 2026 (module docstring)."""
    out: list[dict[str, Any]] = []
    for result in results:
        result = _scp_deny_as_implicit(result)
        per_resource = result.get("ResourceSpecificResults") or []
        if not per_resource:
            out.append(result)
            continue
        out.extend({**result, "EvalResourceName": rr["EvalResourceName"]} for rr in per_resource)
    return out


def _scp_deny_as_implicit(result: dict[str, Any]) -> dict[str, Any]:
    """An explicit deny no listed statement explains, with the organization denying: implicitDeny."""
    if (result.get("OrganizationsDecisionDetail") or {}).get("AllowedByOrganizations") is not False:
        return result

    def soften(entry: dict[str, Any], field_name: str) -> dict[str, Any]:
        if entry.get(field_name) == "explicitDeny" and not entry.get("MatchedStatements"):
            return {**entry, field_name: "implicitDeny"}
        return entry

    out = soften(result, "EvalDecision")
    if out.get("ResourceSpecificResults"):
        out = {
            **out,
            "ResourceSpecificResults": [
                soften(rr, "EvalResourceDecision") for rr in out["ResourceSpecificResults"]
            ],
        }
    return out


def _page(results: list[dict[str, Any]], max_items: int, marker: str | None) -> dict[str, Any]:
    """One page of EvaluationResults; the Marker is the index of the next result."""
    start = 0
    if marker:
        if not marker.isdigit() or int(marker) > len(results):
            raise InvalidInput(f"Marker {marker!r} is not a marker this simulation returned")
        start = int(marker)
    end = min(len(results), start + max_items)
    body: dict[str, Any] = {"EvaluationResults": results[start:end], "IsTruncated": end < len(results)}
    if end < len(results):
        body["Marker"] = str(end)
    return body


# -- query protocol ---------------------------------------------------------


def _parse_structure(shape: Any, form: Mapping[str, str], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = f"{prefix}{member.serialization.get('name', name)}"
        value = _parse_value(member, form, key)
        if value is not None:
            out[name] = value
    return out


def _parse_value(shape: Any, form: Mapping[str, str], key: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if not any(k.startswith(key + ".") for k in form):
            return None
        return _parse_structure(shape, form, key + ".")
    if kind == "list":
        if form.get(key) == "":
            return []
        items = []
        i = 1
        while True:
            item = _parse_value(shape.member, form, f"{key}.member.{i}")
            if item is None:
                break
            items.append(item)
            i += 1
        return items or None
    if kind == "map":
        out = {}
        i = 1
        while f"{key}.entry.{i}.key" in form:
            out[form[f"{key}.entry.{i}.key"]] = _parse_value(shape.value, form, f"{key}.entry.{i}.value")
            i += 1
        return out or None
    if key not in form:
        return None
    raw = form[key]
    if kind in ("integer", "long"):
        return int(raw)
    if kind == "boolean":
        return raw.lower() == "true"
    return raw


def _response_xml(action: str, body: Mapping[str, Any], model: Any) -> bytes:
    shape = model.operation_model(action).output_shape
    inner = "".join(
        _xml_member(name, member, body[name]) for name, member in shape.members.items() if name in body
    )
    return (
        f'<{action}Response xmlns="{IAM_NS}"><{action}Result>{inner}</{action}Result>'
        f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


def _xml_member(name: str, shape: Any, value: Any) -> str:
    return f"<{name}>{_xml_value(shape, value)}</{name}>"


def _xml_value(shape: Any, value: Any) -> str:
    kind = shape.type_name
    if kind == "structure":
        return "".join(_xml_member(n, m, value[n]) for n, m in shape.members.items() if n in value)
    if kind == "list":
        return "".join(f"<member>{_xml_value(shape.member, v)}</member>" for v in value)
    if kind == "map":
        return "".join(
            f"<entry><key>{escape(str(k))}</key><value>{_xml_value(shape.value, v)}</value></entry>"
            for k, v in value.items()
        )
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def _error_xml(code: str, message: str, status: int) -> bytes:
    kind = "Sender" if status < 500 else "Receiver"
    return (
        f'<ErrorResponse xmlns="{IAM_NS}"><Error><Type>{kind}</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    ).encode()


# -- HTTP -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    owner: LocalIamEndpoint
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read results, not logs
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self) -> None:
        body = self._body()
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = form.get("Action", "")
        target = self.headers.get("X-Amz-Target") or ""
        if action:
            answer, content_type = self.owner.handle(action, form), "text/xml"
        elif target:
            answer, content_type = (
                self.owner.handle_json(target.rsplit(".", 1)[-1], body),
                "application/x-amz-json-1.1",
            )
        else:
            answer, content_type = None, ""
        if answer is None:
            self._forward("POST", body)
            return
        status, payload = answer
        if status == -2:  # cut off mid-body: the promised length never arrives
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(payload) + 100))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
        if status == -3:  # linger 0: close() sends RST, the client sees a reset connection
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        if status < 0:
            self.close_connection = True
            self.connection.close()
            return
        self._send(status, payload, content_type)

    def do_GET(self) -> None:
        self._forward("GET", b"")

    def _forward(self, method: str, body: bytes) -> None:
        parsed = urllib.parse.urlparse(self.owner.moto_url)
        conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        headers["Host"] = parsed.netloc
        conn.request(method, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        payload = resp.read()
        conn.close()
        self._send(resp.status, payload, resp.getheader("Content-Type") or "text/xml")

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def _post(base: str, path: str, body: bytes) -> None:
    parsed = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=30)
    conn.request("POST", path, body=body)
    conn.getresponse().read()
    conn.close()


@contextmanager
def local_iam_endpoint(
    faults: Faults | None = None, *, style: SimulatorStyle = SimulatorStyle.CURRENT
) -> Iterator[LocalIamEndpoint]:
    endpoint = LocalIamEndpoint(faults, style=style)
    with endpoint:
        yield endpoint
