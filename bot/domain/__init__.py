"""Pure domain rules: standard library only, the current time always passed in."""
