"""The staff console's use cases: reads, actions, timelines and the activity lines."""
