"""The pytest plugin: scenario files become one test item per cell."""
