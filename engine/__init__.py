"""Use cases: plain async functions of (command, ports), shared by every channel."""
