"""LLM runtimes behind the `Generator` seam, and the bundled model file they load."""
