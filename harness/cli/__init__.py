"""The `harness` command: a thin layer over the library."""
