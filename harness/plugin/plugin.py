"""pytest11 entry point (placeholder until the plugin lands)."""
