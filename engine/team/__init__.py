"""The team: Executive Assistants and leads, and signing in to the console."""
