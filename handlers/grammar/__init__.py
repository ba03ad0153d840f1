"""The `/collab` grammar: command text parsed into typed commands, beside the listener that receives it."""
