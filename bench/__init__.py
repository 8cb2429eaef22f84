"""Benchmarks of archive-qa against the LangChain tutorial pipeline, each run as `python -m bench.<name>`."""
