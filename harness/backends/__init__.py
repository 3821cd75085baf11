"""Backends evaluate cells: offline (the engine) or aws (the IAM Policy Simulator)."""
