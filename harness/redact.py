"""Scrub AWS credentials from anything a report or log is about to contain.

Reports are published (CI job summaries, PR comments, SIEM imports), so a key
that slipped into an error message or a metadata field must never reach them.
The patterns follow the documented shapes of AWS credentials
(https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html and
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids):
access key ids start with AKIA (long-term) or ASIA (temporary); secret keys
are 40 base64 characters; session tokens travel as `X-Amz-Security-Token`.
Unique ids such as AROA/AIDA are not secrets and are left alone.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

REDACTED = "[REDACTED]"

# Access key ids: a documented 4-letter prefix and 16 upper-case base32-ish characters.
_ACCESS_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])")

# name = value pairs whose value is a secret, in ini, env, JSON, header or query-string form.
_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)
    (?P<name>
        aws_secret_access_key | secret_?access_?key | aws_session_token | session_?token
        | x-amz-security-token | x-amz-signature | x-amz-credential | security_?token
    )
    (?P<sep>["']?\s*[:=]\s*["']?)
    (?P<value>[^\s"'&,;}]+)
    """
)

# SigV4 Authorization header: Credential=AKIA.../date/region/service/aws4_request, Signature=hex.
_SIGV4_HEADER = re.compile(r"(?i)(AWS4-HMAC-SHA256\s+)[^\r\n]+")

# A bare 40-character secret access key. To spare hex digests (SHA-1 is 40 hex characters)
# and ordinary words, it must mix upper case, lower case and a digit or '/' '+'.
_BARE_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")

# A bare secret lies inside a run of at least 40 of these characters: a linear scan that finds
# none spares the bare-secret pattern, which tries 40 characters at every position.
_LONG_RUN = re.compile(r"[A-Za-z0-9/+=]{40,}")

# Metadata keys whose value is dropped whatever it looks like.
_SECRET_KEY_NAME = re.compile(r"(?i)(secret|password|passwd|session_?token|security_?token|credential)")


def _looks_like_secret_key(candidate: str) -> bool:
    return (
        any(c.isupper() for c in candidate)
        and any(c.islower() for c in candidate)
        and any(c.isdigit() or c in "/+" for c in candidate)
    )


# Every name _SECRET_ASSIGNMENT and _SIGV4_HEADER look for contains one of these
# (lower-cased); a text without any skips those scans, which dominate on large reports.
_ASSIGNMENT_HINTS = ("secret", "token", "x-amz-", "aws4-hmac")


def redact_text(text: str) -> str:
    """Replace credential-looking substrings of `text` with a marker."""
    if not text:
        return text
    lowered = text.lower()
    if any(hint in lowered for hint in _ASSIGNMENT_HINTS):
        text = _SIGV4_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
        text = _SECRET_ASSIGNMENT.sub(lambda m: m.group("name") + m.group("sep") + REDACTED, text)
    text = _ACCESS_KEY_ID.sub(REDACTED, text)
    if not _LONG_RUN.search(text):
        return text
    return _BARE_SECRET.sub(lambda m: REDACTED if _looks_like_secret_key(m.group(0)) else m.group(0), text)


class Redactor:
    """Scrubs JSON-like values, remembering up to `cache_size` distinct strings it has scrubbed.

    A run repeats the same strings (principals, actions, explanations) in
    thousands of cells, so each distinct string is scrubbed once; the memory is
    bounded (the cache starts over when full), so a streamed run of a million
    cells, most of whose ids and resources are unique, does not grow it.
    """

    def __init__(self, cache_size: int = 65_536) -> None:
        self.cache_size = cache_size
        self._seen: dict[str, str] = {}

    def text(self, item: str) -> str:
        done = self._seen.get(item)
        if done is None:
            if len(self._seen) >= self.cache_size:
                self._seen.clear()
            done = self._seen[item] = redact_text(item)
        return done

    def record(self, item: dict[str, Any]) -> dict[str, Any]:
        """`data` for one cell record, with a fast path: the record serialised to JSON is searched
        once, and only a record where some pattern could match is scrubbed field by field.

        Equivalent to `data`: JSON keeps every character the patterns look for as it is
        (non-ASCII stays UTF-8; only quotes, backslashes and control characters are escaped,
        and none of them can be part of a match), and the quotes between strings stop a match
        from spanning two values, as the start and end of a string do.
        """
        try:
            blob = _ENCODER.encode(item)
        except (TypeError, ValueError):
            return self.data(item)
        if _could_hold_secret(blob):
            return self.data(item)
        return item

    def data(self, item: Any) -> Any:
        """A copy of `item` with every string scrubbed; a mapping entry whose key names a secret
        (password, session token, ...) loses its value entirely, whatever the value looks like."""
        if isinstance(item, str):
            return self.text(item)
        if isinstance(item, dict):
            out: dict[Any, Any] = {}
            for key, inner in item.items():
                if isinstance(key, str) and _SECRET_KEY_NAME.search(key) and inner not in (None, "", [], {}):
                    out[key] = REDACTED
                else:
                    out[key] = self.data(inner)
            return out
        if isinstance(item, list | tuple):
            return [self.data(inner) for inner in item]
        return item


_ENCODER = msgspec.json.Encoder()
# Every byte a bare secret is made of -> "a", every other -> " ": a secret needs 40 a's in a row.
_SECRET_BYTES = bytes(
    ord("a") if chr(b).isascii() and (chr(b).isalnum() or chr(b) in "/+=") else ord(" ") for b in range(256)
)
_ACCESS_KEY_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA")
# Lower-case words that any of the patterns (or a secret-named key) needs.
_WORD_HINTS = (*_ASSIGNMENT_HINTS, "passw", "credential")


def _could_hold_secret(blob: bytes) -> bool:
    """False only when no pattern can match anywhere in `blob` (substring tests, no regex)."""
    text = blob.decode("utf-8", "replace")
    lowered = text.lower()
    if any(hint in lowered for hint in _WORD_HINTS):
        return True
    if any(prefix in text for prefix in _ACCESS_KEY_PREFIXES):
        return True
    return b"a" * 40 in blob.translate(_SECRET_BYTES)


def redact_data(value: Any) -> Any:
    """Return a copy of a JSON-like value with every string scrubbed (see `Redactor.data`)."""
    return Redactor(cache_size=1 << 62).data(value)

