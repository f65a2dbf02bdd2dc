"""Text input: a predictive keyboard's brain (next words, completions, autocorrection) with a
personal model per user."""
