"""The CloudPayments adapter: orders, token charges, refunds, notification parsing and verification."""
