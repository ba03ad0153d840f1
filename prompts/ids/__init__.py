"""Every callback, block and action id the bot uses, one module per feature."""

INPUT = "value"  # the action id of every modal input element: its block id names the field
