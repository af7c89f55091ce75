"""Clients: registration, assignment, language, phone, merging, and how a client is written to."""
