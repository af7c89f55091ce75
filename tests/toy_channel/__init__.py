"""A toy message channel, built the way a real one is — a folder (this package: compose, webhook, runtime,
worker and sender), one `Channel` row — to prove that a new channel needs no edit to engine/."""
