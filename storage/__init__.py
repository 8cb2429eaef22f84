"""The index both halves use: stored nouns, the Chroma store, the keyword index, the embedder, locks."""
