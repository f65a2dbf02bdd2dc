"""The assistant: skills that act, and the dialogue that routes each turn to one of them."""
