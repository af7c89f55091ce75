"""Local stand-ins for Telegram, Twilio and CloudPayments that speak their HTTP APIs."""
