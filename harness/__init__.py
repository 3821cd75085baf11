"""iam-harness: test AWS IAM permissions the way pytest tests code."""

__version__ = "0.1.0"
