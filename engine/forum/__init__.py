"""The staff forum: each client's topic, the request card pinned in it, and the Escalations topic."""
