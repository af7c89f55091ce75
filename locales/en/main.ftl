# Client-facing texts. Every id here exists in ar/ and ru/ too (tests/unit/test_locales.py).

language-choose = Which language would you like me to use?
language-set = From now on I'll write to you in English.
welcome = Welcome, { $name }. I'm { $assistant }, your personal assistant in Moscow. Tell me what you'd like arranged — a car, a table, tickets, anything — and I'll take care of it.
welcome-back = Welcome back, { $name }. { $assistant } is here for you — what can we arrange?
request-received = Your request { $number } is with { $assistant }. You'll hear back shortly.
conversation-closed = Thank you, { $name }. Whenever you need anything else, just write — we're here around the clock.
error-generic = I'm sorry, something went wrong on our side. Your message is safe with us and we are looking into it.
welcome-team = Welcome, { $name }. Your concierge team in Moscow is at your service. Tell me what you'd like arranged — a car, a table, tickets, anything — and we'll take care of it.

## Quotes and payment
quote-title = Your quote for request { $number }:
quote-revised-title = Your updated quote for request { $number }:
quote-total = Total: { $total }
quote-valid = Valid until { $until }.
quote-how-to-pay = Tap “Pay” to pay securely by card.
button-pay = Pay { $total }
button-pay-card = Pay with card •••• { $last4 }
button-ask = Ask a question
button-decline = Decline
quote-question = Of course — write your question here and { $assistant } will answer right away.
quote-declined = Understood, the quote for request { $number } is declined. Write any time if you'd like something else.
quote-expired = This quote is no longer valid. { $assistant } will send you a fresh one.
quote-replaced = This quote has been replaced by an updated one for request { $number }: { $total }, valid until { $until }.
quote-already-paid = This quote is already paid — nothing more to do here.
payment-confirm-link = Your bank asks you to confirm this payment. Please complete it with the button below.
payment-failed = The payment did not go through and nothing was charged. You can try again with the button below or use another card.
receipt-title = Receipt { $receipt }
receipt-request = Request { $number }
receipt-paid = Paid: { $total }
receipt-card = Card: { $card }
receipt-transaction = Transaction { $transaction } · { $date }
receipt-thanks = Thank you. { $assistant } is taking care of everything.
refund-title = Refund { $receipt }
refund-amount = Refunded: { $amount }
refund-so-far = Refunded so far: { $refunded } of { $paid } paid
refund-note = The money returns to your card within a few days, depending on your bank.

## Fulfilment
request-in-progress = Your request { $number } is in progress.
request-done = Your request { $number } is complete. Thank you for trusting us, { $name } — it was a pleasure.
request-cancelled = Your request { $number } has been cancelled.
request-cancelled-reason = Reason: { $reason }

## WhatsApp: buttons become numbered choices
choices-hint = Reply with the number of your choice.

## The clock: a new assistant, quotes about to lapse, how did we do
client-reassigned = { $assistant } is now taking care of you.
quote-reminder = A gentle reminder: your quote for request { $number } ({ $total }) is valid until { $until }.
quote-lapsed = The quote for request { $number } has lapsed and its payment link no longer works. Just write whenever you'd like a fresh one.
rating-ask = How did we do with request { $number }? Please rate us from 1 to 5 — and tell us anything in your next message.
rating-thanks = Thank you for your rating. If you'd like to add a word, simply write it here.

## Commands: the menu in a private chat with the bot, and /help
command-start = Start, or start again
command-language = Choose the language
command-help = What I can do for you
help = I'm your concierge in Moscow, around the clock. Just write what you need — a car, a table, tickets, a guide, flowers, anything — in your own words, and your personal assistant takes care of it. You'll get a quote you can pay right here, and a receipt. /language changes the language.

phone-ask = So that we can call you when it helps, would you share your phone number? Tap the button below; only your assistant sees it.
phone-ask-button = 📱 Share my number

## the phone (spoken by Twilio: one sentence each)
voice-greeting = Good day, this is your concierge. Connecting you with { $assistant } now.
voice-greeting-team = Good day, this is your concierge. Connecting you with your assistant now.
voice-recording-notice = This call may be recorded for your service.
voice-voicemail-prompt = We could not answer right now. Please leave a message after the tone, and we will call you back shortly.
fiscal-receipt = 🧾 Your fiscal receipt for { $number } ({ $amount }): { $link }
fiscal-receipt-refund = 🧾 The fiscal receipt of your refund for { $number } ({ $amount }): { $link }
fiscal-receipt-settlement = 🧾 The final fiscal receipt for { $number } (the service rendered, { $amount }): { $link }

## reminders of a paid booking
reminder-evening = A reminder for tomorrow: request { $number } is at { $at } — { $place }. Is everything as planned?
reminder-soon = Coming up: request { $number } at { $at } — { $place }. Is everything as planned?
button-all-good = All good
button-need-change = I need a change
reminder-thanks = Wonderful — { $assistant } has everything ready.
reminder-change = Of course — tell me what you would like to change, and { $assistant } will take care of it right away.
reminder-over = This booking is already closed — just write if you need anything.
pay-extra = We have received a payment of { $amount } for request { $number } that was not needed. Nothing more is owed: it will be returned to your card, and your assistant will confirm it.
