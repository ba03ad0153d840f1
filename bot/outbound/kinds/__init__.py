"""The kinds of outbox job, one module per kind or small family; each kind is a module-level JobKind (base.py)."""
