"""The evaluation harness: score retrieval, answers, citations and abstention on dated question sets."""
