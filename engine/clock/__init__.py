"""The clock: timers derived from events, what a deadline does when it falls due, the team's figures."""
