"""The background loops: the inbox, one delivery lane worker per channel, and the room for the clock."""
