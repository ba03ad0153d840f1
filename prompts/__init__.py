"""Everything a person reads: Block Kit builders and message text."""
