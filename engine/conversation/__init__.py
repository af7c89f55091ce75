"""The conversation per channel: messages both ways, WhatsApp's own flow, phone calls and call-backs."""
