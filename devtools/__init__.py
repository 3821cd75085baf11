"""Development tools of iam-harness: run from a checkout, not installed with the package."""
