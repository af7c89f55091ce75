# Client-facing texts. Every id here exists in ar/ and ru/ too (tests/unit/test_locales.py).

language-choose = Which language would you like me to use?
language-set = From now on I'll write to you in English.
welcome = Welcome, { $name }. I'm { $assistant }, your personal assistant in Moscow. Tell me what you'd like arranged — a car, a table, tickets, anything — and I'll take care of it.
welcome-back = Welcome back, { $name }. { $assistant } is here for you — what can we arrange?
request-received = Your request { $number } is with { $assistant }. You'll hear back shortly.
conversation-closed = Thank you, { $name }. Whenever you need anything else, just write — we're here around the clock.
error-generic = I'm sorry, something went wrong on our side. Your message is safe with us and we are looking into it.
welcome-team = Welcome, { $name }. Your concierge team in Moscow is at your service. Tell me what you'd like arranged — a car, a table, tickets, anything — and we'll take care of it.
