"""Test and benchmark helpers that stand in for AWS on loopback (no network beyond 127.0.0.1)."""
