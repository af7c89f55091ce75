"""Requests: intake, quotes and their buttons, payments and refunds, ratings."""
