"""Channel adapters: telegram/ (aiogram) and whatsapp/ (Twilio). They import domain, never bot."""
