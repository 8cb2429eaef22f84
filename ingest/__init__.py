"""Ingest: turn archive files into articles, chunks, embeddings and a persisted Chroma + keyword index."""
