"""WhatsApp through Twilio: the inbound normaliser and the sender."""
