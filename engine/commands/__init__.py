"""What staff type: commands (in a topic, the forum, a private chat) and replies in a client's topic."""
