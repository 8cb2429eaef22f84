"""The evaluation harness (questions, scoring, rows, runner, summary, report) that `archive-qa eval` and bench/ use."""
