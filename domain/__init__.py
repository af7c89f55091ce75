"""The concierge domain: pure, no I/O. See ../shared/DESIGN.md."""
