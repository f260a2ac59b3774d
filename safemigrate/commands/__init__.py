"""Commands: plain functions that return an exit code. The CLI only parses."""
