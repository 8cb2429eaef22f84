"""QA: turn a question (plus chat history) into an answer whose every claim cites an archive passage."""
