"""Reading the files users write: YAML with line numbers, bounded text files, `${var}` variables,
IAM's policy size quotas, and errors that name file, line and field.

Both the account model loader and the scenario loader read user files this way, so these
modules sit below both (docs/architecture.md).
"""
