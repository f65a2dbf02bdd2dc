"""Search over the user's own documents: text out of files, passages, and a hybrid index
(BM25 and sentence embeddings, fused) that answers queries per user."""
