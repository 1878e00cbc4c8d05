"""Source families: one module per family (its config model and how its spider's arguments are
built) and ``registry.py``, the one list every other part derives from."""
