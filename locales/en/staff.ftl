# Staff-facing texts: the console and the sign-in messages (English and Russian).

## sign-in
signin-link = 🔐 Your sign-in link to the staff console: {"{"}link{"}"}
    It works once, for { $minutes } minutes, and only for you — do not forward it.
signin-button = Open the console
signin-sent-privately = 🔐 I have sent you a sign-in link in our private chat.
signin-open-private-chat = ⚠️ I cannot write to you privately yet: open a private chat with the bot, press Start, then write /console there.
signin-title = Sign in to the console
signin-how = Write /console to the bot in Telegram (in the staff forum or in a private chat with it): it sends you a one-time sign-in link.
signin-continue = Continue
signin-refused = This sign-in link is not valid any more (used, expired or mistyped). Write /console to the bot for a new one.
signin-busy = Too many sign-in attempts from here; wait a minute and try again.
sign-out = Sign out

## navigation and common words
nav-board = Board
nav-clients = Clients
nav-team = Team
nav-payments = Payments
nav-activity = Activity
role-lead = lead
back = Back
save = Save
filter-apply = Apply
actions = Actions
timeline = Timeline
timeline-empty = Nothing recorded yet.

## board
board-title = Open requests
board-filter = Assistant
board-everyone = Everyone
board-empty = Nothing here.
board-more = Show more
state-new = New
state-quoted = Quoted
state-paid = Paid
state-in_progress = In progress
state-fulfilled = Fulfilled
state-cancelled = Cancelled
state-refunded = Refunded
state-partly-refunded = Partly refunded { $refunded } of { $paid }
clock-waiting-reply = waiting for a reply { $minutes }
clock-waiting-quote = waiting for a quote { $minutes }
clock-due-in = due in { $minutes }
clock-overdue = overdue by { $minutes }
category-chauffeur = Chauffeur
category-dining = Dining
category-hotel = Hotel
category-aviation = Aviation
category-events = Events
category-shopping = Shopping
category-security = Security
category-wellness = Wellness
category-tours = Tours
category-other = Other

## request
request-client-page = Client page
field-category = Category
field-when = When
field-assistant = Assistant
field-language = Language
field-phone = Phone
field-quote = Quote
field-paid = Paid
field-refunded = Refunded
field-fiscal-receipt = Fiscal receipt
fiscal-income = payment
fiscal-income_return = refund
fiscal-settlement = settlement
field-preferences = Preferences
field-name = Name
field-client-id = Client id
field-channels = Channels
field-tags = Tags
field-lifetime = Lifetime value
field-state = State
field-amount = Amount
field-time = Time
action-reply = Reply to the client
action-send = Send
action-note = Internal note (never sent to the client)
action-add-note = Add note
action-progress = In progress
action-done = Done
action-cancel = Cancel request
action-cancel-reason = reason
action-refund = Refund…
action-reassign = Reassign to
action-reassign-go = Reassign
delivery-sent = sent
delivery-delivered = delivered
delivery-read = read
delivery-failed = failed
delivery-pending = pending
delivery-sending = sending
delivery-held = held (24-hour window)
delivery-uncertain = uncertain
refund-title = Refund
refund-explain = { $name } paid { $amount }. The money goes back to the card it came from; the client is told.
refund-explain-left = { $refunded } of it is refunded already; at most { $left } can still go back.
refund-amount = Amount ({ $currency }); empty refunds everything
refund-confirm = Yes, refund

## clients
clients-title = Clients
clients-search = Name, @username, last digits of the phone, tag
clients-find = Find
clients-none = No client matches.
client-requests = Requests
client-no-requests = No requests yet.
preferences-example = halal only; Maybach; no calls after 22:00
erase-client = Erase personal data…
erase-explain = Name, numbers, username, messages, notes, preferences and media links become unreadable for good, here, in exports and in backups taken from now on; the topic is deleted from the forum. Payments and receipts keep what the law requires. This cannot be undone.
erase-type-id = Type { $client } to confirm
erase-confirm = Erase for good
client-erased = erased
client-erased-explain = This client's personal data was erased. Their requests keep the money records; a new message from the same person starts a new client.
export-history = Export complete history (JSON)
console-merge-label = The same person as { $client }:
console-merge = Merge into this client

## team
team-title = The team's figures
team-charts = Per day
team-charts-weekly = Per week
chart-of-first-response = first response (median)
chart-of-revenue = revenue ({ $currency })
chart-of-promises = promises kept
chart-max = highest { $value }
chart-no-data = no data yet
team-nothing = Nothing happened in this period.
team-presence = Presence
team-open = Open
team-deactivate = Deactivate
team-deactivate-confirm = Deactivate { $name }? Their sessions end at once and they get no new clients.
team-add = Add an assistant
team-telegram-id = Telegram id
team-languages = Languages (en, ar, ru)
team-ui-language = Console language
team-add-go = Add
presence-on-duty = on duty
presence-away = away
presence-inactive = inactive
chart-first-response = first response (min)
chart-revenue = revenue
chart-promises = promises kept
kpi-1 = clients
kpi-2 = requests
kpi-3 = first response p50
kpi-4 = first response p90
kpi-5 = promises kept
kpi-6 = first quote p50
kpi-7 = quotes
kpi-8 = quote→paid
kpi-9 = revenue
kpi-10 = refunds
kpi-11 = net revenue
kpi-12 = CSAT
kpi-13 = escalations
kpi-14 = margin
kpi-15 = margin %
kpi-16 = paid with a cost

## payments
payments-title = Payments and refunds
payments-days = Days
payments-currency = Currency
payments-kind = Kind
payments-all = All
payments-payment = payment
payments-refund = refund
payments-card = Card
payments-in = in
payments-out = refunded
payments-net = net
payments-none = No payments in this period.

## activity
activity-title = Activity
activity-none = Nothing in the last two days.
audit-checking = Checking the audit chain…
audit-intact = ✅ Audit chain intact: { $events } events in { $streams } streams checked
audit-broken = ⚠️ Audit chain broken ({ $events } events in { $streams } streams checked): { $broken }

## one line per event
ev-ClientRegistered = new client { $name }
ev-ClientAssigned = assigned to { $assistant }
ev-ClientCardSaved = card saved for one-tap payments
ev-ClientTagged = tags: { $tags }
ev-ClientPreferencesSet = preferences: { $text }
ev-ClientPhoneShared = shared a phone number
ev-ClientLanguageChanged = language: { $chosen ->
    [en] English
    [ar] Arabic
    [ru] Russian
   *[other] { $chosen }
}
ev-ConversationOpened = conversation opened
ev-ConversationClosed = conversation closed
ev-MessageReceived = { $channel }: { $text }
ev-StaffMessageSent = reply: { $text }
ev-NoteAdded = note: { $text }
ev-StaffCommandIssued = { $command } { $args }
ev-ClientActionTaken = { $action ->
        [ask] asked about the quote for { $request }
        [decline] declined the quote for { $request }
        [tap] paid { $request } with the saved card
        [all-good] { $request }: all good, as planned
        [change] { $request }: needs a change
        [call-me] asks to be called back
       *[other] { $action } { $request }
    }{ $stale ->
        [True] { " " }(the quote was no longer valid)
       *[False] { "" }
    }
ev-RequestOpened = request opened: { $text }
ev-RequestQuoted = quote v{ $version }: { $amount }
ev-RequestPaid = paid { $amount }
ev-RequestStarted = in progress
ev-RequestFulfilled = fulfilled
ev-RequestCancelled = cancelled: { $reason }
ev-RequestRefunded = refunded { $amount }
ev-PaymentFailed = a payment failed
ev-FiscalReceiptIssued = a fiscal receipt was issued
ev-ResponseOverdue = the client waited too long (step { $step })
ev-QuoteExpired = the quote lapsed unpaid
ev-RequestRated = rated { $rating }/5
ev-AssistantAdded = { $name } joined the team
ev-AssistantDeactivated = deactivated
ev-AssistantAway = away
ev-AssistantBack = back
ev-ConsoleSignedIn = signed in to the console
ev-ClientDataExported = exported a client's history
ev-ClientErased = erased the client's personal data
ev-SavedReplySet = 💬 saved reply «{ $name }» kept
ev-SavedReplyRemoved = 💬 saved reply «{ $name }» removed
ev-SavedReplyUsed = 💬 sent the saved reply «{ $name }»
ev-MessageTranslated = 🌐 translated ({ $target }): { $text }
ev-TranslationSet = 🌐 machine translation { $state }
ev-ClientIdentityLinked = linked a { $channel } account
ev-ClientUnreachable = cannot be reached on { $channel }
ev-ClientTopicRequested = opening the client's topic in the staff forum
ev-ClientTopicOpened = the client's topic opened in the staff forum
ev-ClientTopicLost = the client's topic was deleted in the forum
ev-ClientCardPosted = client card pinned in the topic
ev-ForumTopicOrphaned = a forum topic nobody recorded was removed
ev-ChoicesOffered = numbered choices offered on { $channel }
ev-DeliveryProblem = a message on { $channel } { $problem ->
    [window-closed] waits: the 24-hour window is closed
    [maybe-twice] may have arrived twice
    [lapsed] went as its template or not at all: the 24-hour window had closed
   *[other] could not be delivered
}
ev-InboxItemSetAside = an incoming { $source } update was set aside: someone must look (concierge inbox failed)
ev-DeadlineSetAside = a clock step failed for good and was set aside: the leads were told
ev-ProjectionQuarantined = an event the projections cannot apply was set apart (concierge audit verify)
ev-PhoneAsked = the client was asked to share their phone number
ev-AssistantReactivated = reactivated
ev-RequestMessageAdded = added to the request: { $text }
ev-RequestDetailsChanged = request details changed: { $field ->
        [when] when
        [category] category
        [guests] guests
        [place] place
        [budget] budget
       *[other] { $field }
    }
ev-RequestCardPosted = request card posted in the topic
ev-ClientMerged = merged into { $into } (the same person)
ev-RequestMoved = moved from { $from } to { $to }
ev-QuoteReminded = reminded about quote v{ $version }
ev-FulfilmentDue = { $action ->
    [overdue] ⚠️ the paid request's time has passed
   *[other] the paid request's time is coming up
}
ev-RatingAsked = asked to rate the service
ev-RatingCommented = rating comment: { $text }
ev-ForumTopicRequested = opening the forum topic “{ $purpose }”
ev-ForumTopicOpened = forum topic “{ $purpose }” opened
ev-ForumTopicLost = forum topic “{ $purpose }” was deleted
ev-AssistantUiLanguageSet = console language: { $chosen ->
    [en] English
    [ru] Russian
   *[other] { $chosen }
}
ev-ConsoleSignInSent = a console sign-in link was sent
ev-AssistantPhoneSet = phone for calls set
ev-CallReceived = 📞 { $direction ->
    [outbound] calling the client
   *[other] incoming call
}
ev-CallLegEnded = 📞 { $assistant }'s phone: { $status ->
    [completed] answered
    [busy] busy
    [no-answer] no answer
    [failed] failed
    [canceled] cancelled
   *[other] { $status }
}
ev-CallRequested = 📞 { $assistant } is calling the client
ev-CallLegStatus = 📞 call: { $status ->
    [ringing] ringing
    [in-progress] in progress
    [answered] answered
    [completed] ended
   *[other] { $status }
}
staff-welcome = Hello { $name } — this is the staff side of the bot. Sign-in links to the console arrive here.
duration-minutes = { $minutes } min
duration-under-a-minute = under a minute
duration-hours = { $hours } h { $minutes } min

## the request card and the client card (in the topic)
card-day-only = { $day } · time?
card-urgent = {" "}· ⚡ urgent
card-time-unsure = time?
card-time-past = {" "}· ⚠️ already past when said: confirm
card-quote-lapsed = {" "}(quote lapsed)
card-partly-refunded = {" "}· partly refunded { $refunded } of { $paid }
card-state-new = new
card-state-quoted = quoted
card-state-paid = PAID
card-state-in_progress = in progress
card-state-fulfilled = fulfilled
card-state-cancelled = cancelled
card-state-refunded = refunded
card-open-state-new = new
card-open-state-quoted = quoted
card-open-state-paid = paid
card-open-state-in_progress = in progress
card-open-state-fulfilled = fulfilled
card-open-state-cancelled = cancelled
card-open-state-refunded = refunded
card-category-chauffeur = Chauffeur & transport
card-category-dining = Dining
card-category-hotel = Hotel
card-category-aviation = Aviation
card-category-events = Events & tickets
card-category-shopping = Shopping & gifts
card-category-security = Security
card-category-wellness = Wellness & medical
card-category-tours = Tours & guides
card-category-other = Other
card-budget = 💰 Budget: { $budget }
card-words-translated = 💬 { $via }🌐 { $pairs }: “{ $text }”
card-words-original = ↳ as written: “{ $text }”
card-quote = 🧾 Quote v{ $version }: { $total }, valid until { $until }
card-quote-taken = 🧾 Quote v{ $version }: { $total }
card-a-card = card
card-paid = ✅ Paid { $amount } · { $card } · transaction { $transaction } · receipt { $receipt }
card-refunded = ↩️ Refunded { $amount } · transaction { $transaction }
card-fiscal = 🧾 Fiscal receipt { $amount }: { $link }
card-fiscal-refund = 🧾 Fiscal refund receipt { $amount }: { $link }
card-fiscal-settlement = 🧾 Settlement receipt { $amount }: { $link }
card-cancelled = ✖️ Cancelled: { $reason }
language-en = English
language-ar = Arabic
language-ru = Russian
card-language-unknown = not chosen yet
card-unreachable = {" "}— unreachable: { $channels }
card-assistant = 🧑‍💼 Assistant: { $name }
card-unassigned = unassigned
card-open-requests = 📋 Open requests: { $requests }
card-none = none

## the clock
clock-reminded = ⏰ { $assistant }, { $client } has been waiting { $wait } for an answer.
clock-escalated = ⚠️ { $client } has been waiting { $wait } for { $assistant } (the promise is { $promise } min). Reply /take to take over, or /assign <name>.
clock-nobody = nobody
clock-their-language = their language
clock-unassignable = 🆘 { $client } has been waiting { $wait }; { $assistant } { $why ->
        [away] is away
       *[silent] has not answered
    } and no one else present speaks { $spoken }. Reply /take to take them.
clock-handover = 🔁 { $client } is now with { $assistant }: waiting { $wait }.
clock-handover-from = 🔁 { $client } is now with { $assistant }: waiting { $wait }, { $old } { $why ->
        [away] is away
       *[silent] has not answered
    }.
clock-handover-above = {" "}The conversation is above.
clock-quote-reminded = ⏰ { $assistant }, { $request } has been waiting { $wait } for a quote.
clock-quote-escalated = ⚠️ { $request } of { $client } has waited { $wait } for a quote ({ $who }).
clock-quote-lapses-soon = 🔔 The client was reminded that quote v{ $version } of { $request } lapses soon.
clock-team = Team
clock-fulfilment-soon = ⏰ { $assistant }, { $request } is at { $at } (in { $left }).
clock-fulfilment-late = ⏰ { $assistant }, { $request } was at { $at } ({ $ago } ago): this reminder comes late.
clock-fulfilment-overdue = ⚠️ { $request } of { $client } was due at { $at } and is not /done ({ $who }).
clock-quote-lapsed = ⌛ Quote v{ $version } of { $request } lapsed unpaid; its payment link is cancelled.
clock-client-told = The client was told.
clock-client-not-told = The client was not told (WhatsApp's 24-hour window).
clock-quote-again = /quote sends a new one.
clock-set-aside = ⚠️ The clock could not do { $item } (step { $step }: { $reason }) and set it aside: it will not be tried again, so please see to it yourselves.

## payments
pay-unexpected = ⚠️ A payment of { $amount } (transaction { $transaction }) arrived for { $request }, which is { $state }. A lead can refund that transaction in CloudPayments (not with /refund, which returns the request's own payment).
pay-paid = ✅ Paid: { $request } · { $amount } · { $card } · transaction { $transaction } · receipt { $receipt }
pay-test-mode = ⚠️ A test-mode payment of { $amount } (transaction { $transaction }) arrived for { $request }. Test payments move no money, so nothing changed: the client has not paid.
pay-failed = ⚠️ A payment for { $request } failed: { $reason }
pay-failed-code = {" "}(code { $code })
pay-failed-link-again = {"."} The client has the link again.
pay-3ds = the bank asked for 3-D Secure
pay-one-tap-failed = 💳 One-tap payment for { $request } did not complete ({ $why }); the client has the payment link.
pay-refund-unexpected = ⚠️ A refund of { $amount } (transaction { $transaction }) arrived for { $request }, which has nothing left to refund. Check it in CloudPayments.
pay-refunded = ↩️ Refunded { $amount } for { $request } (transaction { $transaction }); the client has the refund receipt.
pay-refunded-so-far = { $refunded } of { $paid } refunded so far; the request stays { $state }.
pay-refunded-all = Everything paid ({ $paid }) is now refunded.

## requests and the conversation
quote-sent = 🧾 Quote v{ $version } of { $request } sent to the client: { $total }.
quote-old-link-cancelled = The link of v{ $version } is cancelled.
quote-old-link-not-cancelled = ⚠️ The old link could not be cancelled: { $error }
quote-question-asked = ❓ The client has a question about { $request }.
req-in-progress = ▶️ { $request } is in progress.
req-fulfilled = 🏁 { $request } fulfilled; the client was thanked.
req-cancelled = ✖️ { $request } cancelled: { $reason }
reason-declined-by-client = the client declined the quote
reason-by-assistant = by the assistant
req-time-past = ⚠️ { $request }: the time the client gave, { $at }, had already passed when they wrote. Please confirm the time with the client, then /edit when …
req-cancelled-paid = 💸 It was paid ({ $amount }). A lead can refund it with /refund or /refund <amount>.
req-link-not-cancelled = ⚠️ The payment link could not be cancelled: { $error }
moved = ➡️ { $client } is now with { $assistant }.
closed = ✅ Conversation closed by { $assistant }; the client was told.
console-note = 📝 { $assistant } (console): { $text }
console-reply = 💬 { $assistant } (console) → client:
    { $text }
rated = { $client } rated { $request } { $score }/5.
rated-low = { $client } rated { $request } { $score }/5{ $who }.
set-aside-the-client = the client
set-aside = ⚠️ Something { $who } sent could not be processed ({ $reason }) and was set aside; nothing is lost. Once the cause is fixed: concierge inbox retry { $item }
quarantined = ⚠️ An event in the log cannot be applied ({ $item }, { $type }: { $reason }); its record stays as it was before it and everything else is served. Details: concierge audit verify
set-aside-topic = ⚠️ Something written in this topic could not be processed ({ $reason }) and was set aside; nothing is lost. Once the cause is fixed: concierge inbox retry { $item }
merged-their-topic = their topic
merged-duplicate = 🔗 { $duplicate } is { $survivor } (the same phone): the conversation goes on in { $where }.
merged-duplicate-by-hand = 🔗 { $duplicate } is { $survivor } (merged by a lead): the conversation goes on in { $where }.
merged-survivor = 🔗 { $survivor } now also writes from { $duplicate }'s account ({ $channels }).
not-delivered-blocked = ⚠️ Not delivered: the client has blocked the bot on Telegram.
client-blocked = ⚠️ The client has blocked the bot on Telegram: messages to them are not delivered. They will reach us again as soon as they write.
a-file = a file
maybe-twice = ⚠️ After an interruption this may have been sent twice { $where ->
        [topic] in this topic
       *[client] to the client
    }: “{ $preview }”
wa-window-template-sent = ⏳ The client last wrote on WhatsApp more than 24 hours ago: your messages wait, and the re-open template was sent. They go out when the client answers.
wa-window-no-template = ⏳ The client last wrote on WhatsApp more than 24 hours ago, and no re-open template is configured for the client's language (TWILIO_TEMPLATE_REOPEN_SID): your messages wait until the client writes first.
wa-lapsed = { $template ->
    [yes] ⏳ WhatsApp's 24 hours had passed when this reminder's turn came, so the approved reminder template went instead: “{ $preview }”
   *[no] ⏳ WhatsApp's 24 hours had passed when this reminder's turn came, and no reminder template is set for the client's language (TWILIO_TEMPLATE_REMINDER_SID): it was not sent. “{ $preview }”
}
wa-uncertain = ❔ Twilio took a WhatsApp message but its answer never came ({ $error }). It was not sent again, to avoid a duplicate. Check with the client before resending: “{ $preview }”
wa-refused = ⚠️ Twilio refused a WhatsApp message (error { $code }): { $error }
wa-undelivered = ⚠️ WhatsApp did not deliver a message ({ $state }, Twilio error { $code }): “{ $preview }”
wa-not-sent = ⚠️ Not sent to WhatsApp: { $problem ->
        [size] the file is { $megabytes } MB; WhatsApp takes up to 16 MB
       *[kind] a { $kind } cannot be sent on WhatsApp; send a photo, a document, a video or text
    }.

## staff commands
away = 🌙 { $assistant } is away { $back }. New clients go to others; your clients' reminders go to the leads, and a client left waiting is handed to someone present.
away-until = until { $until }
away-until-back = until you write /back
welcome-back = ☀️ Welcome back, { $assistant }.
stats-title = 📊 { $period } to { $end }
stats-yours = {" "}(yours)
unknown-command = Unknown command /{ $name }.
unknown-command-here = Unknown command /{ $name } here.
only-leads = Only a lead can { $what }.
lead-only-assign = reassign a client
lead-only-take = take a client
lead-only-merge = merge clients
lead-only-refund = refund
help-leads = {" "}(leads)
help-topic = Commands in a client's topic:
help-topic-else = Anything else you write here goes to the client.
help-anywhere = Commands anywhere in the staff forum:
help-private = Commands here:
# one per command of engine/commands/table.py (its help id): the help and Telegram's menus
help-command-note = an internal note; never sent to the client
help-command-card = post the client card again
help-command-close = close the conversation (the client is thanked)
help-command-assign = hand the client to another assistant (in their topic, or answering an escalation line)
help-command-take = the client is yours from now on (in their topic, or answering an escalation line)
help-command-merge = C-1042 is this same person: merged into this client
help-command-quote = quote the open request (or /quote RUB and one 'item — amount' per line); 'cost 31000' last keeps the supplier's cost for leads and you
help-command-edit = correct the request card
help-command-progress = the paid request is under way
help-command-done = the request is fulfilled (the client is thanked)
help-command-cancel = cancel the request
help-command-new = open a new request (from the text or the last message)
help-command-refund = refund the paid request
help-command-call = call the client: your phone rings first (they see the concierge number)
help-command-away = you are away: no new clients, reminders to the leads
help-command-back = you are back
help-command-stats = the figures (yours; a lead sees everyone's)
help-command-console = a sign-in link to the staff console, in your private chat with the bot
help-command-help = the commands that work where you write it
help-command-start = what works in a private chat with the bot

## the console's refusals
console-form-incomplete = This form is incomplete; reload the page and try again.
console-form-expired = This form has expired; reload the page and try again.
console-form-unreadable = This form could not be read (its text is not UTF-8); nothing was changed.
console-unavailable = Our records are not answering right now. Nothing was lost: please try again in a few seconds.
console-reply-empty = Write the reply first.
console-too-long = At most { $limit } characters.
console-not-an-action = /{ $name } is not a console action.
console-bad-tag = A tag is one word of letters, digits, - or _ (not “{ $tag }”).
console-too-many-tags = At most { $limit } tags.
console-languages = The console speaks { $languages }.
console-telegram-id = A Telegram id is a number (the assistant can get theirs from @userinfobot).
console-no-such-assistant = No such assistant.
console-not-yourself = You cannot deactivate yourself; ask another lead.
console-confirm-refund = Confirm the refund first.
console-never-paid = { $request } was never paid.
lead-only-add = add assistants
lead-only-deactivate = deactivate assistants
lead-only-export = export a client's history
lead-only-audit = check the audit chain

## refusals (a domain error's key: err-<key>)
state-named = { $state }
err-transition = a request cannot go from { $current } to { $target }
err-quote-usage = Write /quote 45000 RUB Mercedes S-Class with chauffeur, 18:00–23:00 — or /quote RUB and then one line per item: description — amount. RUB unless you say USD, EUR or AED.
err-quote-currency = { $code } is not a currency we accept; use RUB, USD, EUR or AED.
err-amount = “{ $amount }” is not an amount.
err-decimals = { $amount } has more decimals than { $currency } allows
err-amount-too-large = { $amount } is more than one amount may be (at most { $most }).
err-quote-too-large = A quote's total is at most { $most }.
err-quote-line = “{ $line }” needs the form: description — amount. { err-quote-usage }
err-quote-line-currency = every line must be in { $currency }; “{ $line }” is in { $other }.
err-quote-needs = A quote needs an amount and a description. { err-quote-usage }
err-quote-currency-once = Say the currency once. { err-quote-usage }
err-quote-two-amounts = “{ $line }” has two amounts, { $first } and { $last }: write the price first, with its currency — /quote 45000 RUB …
err-refund-amount = a refund is more than 0 and at most the { $paid } paid
err-refund-left = a refund is more than 0 and at most the { $left } not yet refunded of the { $paid } paid
err-time-of-day = “{ $text }” is not a time of day
err-away = Write /away, /away for 2h, /away for 45m or /away until 18:00 (not “{ $text }”).
err-period = “{ $text }” is not a period like 7d or 24h
err-request-state = { $request } is { $state }, not { $wanted }.
err-no-such-request = { $client } has no request { $request }.
err-no-request = { $client } has no request that is { $wanted }. /new opens one.
err-no-payments = Payments are not configured (CLOUDPAYMENTS_PUBLIC_ID, CLOUDPAYMENTS_API_SECRET).
err-edit-time = “{ $text }” is not a time; try /edit when 2026-12-01 20:00
err-edit-category = “{ $text }” is not a category; use one of { $names }
err-edit-guests = “{ $text }” is not a number of guests
err-edit-usage = Write /edit <{ $fields }> <value>, e.g. /edit when 2026-12-01 20:00
err-new-empty = Nothing to open a request from: write /new <what the client asks for>.
err-never-paid = { $request } was never paid.
err-note-empty = A note needs a text: /note <text>.
err-no-assistant = No active assistant is called “{ $name }”. Try /assign <name>.
err-no-assistant-line = No active assistant is called “{ $name }”. Answer the line with /assign <name>.
err-take-what = Answer an escalation line with /take (or write /take C-1042).
err-merge-what = Write /merge C-1042 (the id is on the other client's card).
err-merge-unknown = There is no client { $client }.
err-merge-self = That is this client.
err-merge-merged = { $client } was merged before.
err-merge-same-channel = Both write on the same channel: two accounts, not one person.

## calls (in the client's topic)
call-incoming = 📞 Incoming call from { $client } → ringing { $assistant }
call-voicemail-only = voicemail (no assistant's phone can ring)
call-answered = 📞 Call with { $assistant } · { $length }
call-next = 📞 { $assistant } did not answer → ringing { $next }
call-to-voicemail = 📞 Nobody answered → voicemail
call-missed-voicemail = 📞 Missed call · voicemail { $length }
call-missed = 📞 Missed call · no voicemail
call-outbound = 📞 Calling { $assistant } first, then { $client } (they see the concierge number)
call-uncertain = ⚠️ A call was being placed when the service stopped; it may not have rung. Write /call again if it did not.
call-client-no-answer = 📞 { $client } did not answer ({ $status })
voice-client-no-answer = { $client } did not answer. It is noted in their topic; you can try again later.
call-withheld-answered = 📞 Call from a withheld number with { $assistant } · { $length }
call-withheld-missed = 📞 Missed call from a withheld number · no voicemail
call-withheld-voicemail = 📞 Missed call from a withheld number · voicemail { $length }
err-calls-off = Calls are not configured (TWILIO_VOICE_NUMBER).
err-call-no-client-phone = { $client } has no phone number on file.
err-call-no-own-phone = Your phone is not on file: concierge staff set-phone.
err-call-refused = Twilio refused the call ({ $code }).
err-call-unreachable = Twilio could not be reached; nothing rang.
card-calls-only = Phone (calls only)
calls-only-client = ⚠️ Not sent: this client has only called, so there is no chat to write to. /call them back.
ev-CallAnswered = 📞 talked with { $assistant } on the phone
ev-CallMissed = 📞 missed call
ev-VoicemailRecorded = 🎙 voicemail left
call-recorded = 📞 Recording of the call · { $length }
chatid-answer = This chat's id is { $chat }. To make it the staff forum, put TELEGRAM_STAFF_CHAT_ID={ $chat } in .env and restart the service (the bot must be an administrator that may manage topics).
chatid-this-forum = This is the staff forum (TELEGRAM_STAFF_CHAT_ID={ $chat }).
fiscal-receipt-topic = 🧾 Fiscal receipt for { $request } ({ $amount }): { $link }
fiscal-receipt-topic-refund = 🧾 Fiscal refund receipt for { $request } ({ $amount }): { $link }
fiscal-receipt-topic-settlement = 🧾 Settlement receipt for { $request } ({ $amount }): { $link }
err-receipts-roubles = With fiscal receipts on (54-FZ), quotes are in roubles: /quote 45000 RUB …
fiscal-settlement-failed = ⚠️ The settlement receipt of { $request } was not printed: { $reason }. Print it in CloudPayments' back office (the leads are alerted).
fiscal-no-contact = 🧾 The fiscal receipt of { $request } has no e-mail or phone to go to: ask the client for an e-mail (their page's preferences, or the console's client page).
console-confirm-erase = Type { $client } in the box to erase this client: nothing was changed.
err-erase-open = { $requests } still open: finish or cancel it first (a paid one: refund it). Nothing was erased.
err-erase-unknown = No client { $client }.
console-client-erased = { $client }'s personal data was erased: nothing more is sent to or kept about them.
translation-unavailable = ⚠️ 🌐 Translation is unavailable right now; the client's words as written:
translation-sent = 🌐 Sent in { $tongue }: { $text }
translation-not-sent = ⚠️ 🌐 Translation is unavailable right now: your message went to the client as you wrote it.
help-command-translate = machine translation on or off: in a client's topic for that client, elsewhere for your clients
translate-client = 🌐 Translation for { $client } is { $state }.
translate-self = 🌐 Translation of your clients' messages is { $state }.
translate-on = on
translate-off = off
err-translate-usage = Write /translate on or /translate off.
card-translated ={ "" } · translated for you into { $tongue }
help-command-r = send a saved reply in the client's language (/r alone lists them)
reply-list = Saved replies: { $names }. Send one with /r <name>.
reply-none = There are no saved replies yet: leads keep them in the console (Replies).
reply-sent = 💬 Saved reply «{ $name }» sent: { $text }
err-reply-unknown = No saved reply «{ $name }»: /r alone lists them.
err-reply-unfilled = «{ $name }» was not sent: there is nothing yet to fill { $variables } with (a time: /edit when …; a request: /new). Or write the reply yourself.
err-reply-name = A saved reply's name is a short word: letters, digits, - and _ (like welcome or car-ready).
err-reply-too-long = A saved reply is at most 2000 characters.
err-reply-variable = Unknown variable {"{"}{ $variable }{"}"}: use {"{"}client{"}"}, {"{"}assistant{"}"}, {"{"}request{"}"} or {"{"}time{"}"}.
err-reply-empty = A saved reply needs its text in at least one language.
err-reply-leads = Only leads keep the saved replies.
nav-replies = Replies
replies-title = Saved replies
replies-explain = Sent with /r <name> in a client's topic, or from a request's page, in the client's language (else English). Variables: { $variables }.
replies-name = Name
replies-remove = Remove
replies-none = No saved replies yet.
replies-keep = Add or change a reply (the same name changes it)
action-saved-reply = Saved reply
action-fill-saved-reply = Fill in a saved reply
field-translation = Machine translation
console-erase-not-compacted = { $client } is erased, but the store was busy and its file is not rewritten yet: erase again in a moment to finish.

## search
nav-search = Search
search-title = Search
search-placeholder = A request number, a client's name or phone digits, words from a conversation
search-requests = Requests
search-no-requests = No request matches.
search-messages = Messages
search-no-messages = No message has these words.
search-in-translation = found in its translation
search-open = Open in the timeline
field-client = Client

## cost and margin
err-quote-cost-currency = The cost is in the quote's currency, { $currency }: /quote 45000 { $currency } … cost 31000.
err-quote-cost-zero = A cost is more than nothing: … cost 31000.
quote-cost-kept = 🔒 The supplier's cost is kept: leads and { $assistant } see it, and the margin, in the console.{ $taken_out ->
    [true] {" "}The /quote that said it is taken out of this topic.
   *[false] {""}
}
field-cost = Supplier cost
field-margin = margin
message-not-taken-out = ⚠️ Telegram would not let the bot delete the /quote that said the cost: delete it by hand, and allow the bot to delete messages in the forum's settings.
action-quote = Quote
action-send-quote = Send the quote
quote-items-example = 45000 Mercedes S-Class with chauffeur — or one line each: Mercedes — 40000
field-currency = Currency
err-quote-cost-amount = The supplier's cost is an amount, like 31000.
notify-message = 💬 { $client }
notify-escalation = ⚠️ Escalated: { $client } is still waiting
notify-turn-on = 🔔 Notify me
notify-on = 🔔 Notifications on
console-file = 📎 { $assistant } sent { $name } from the console. { $text }
console-file-empty = Choose a file to send.
console-file-too-large = A file sent from the console is at most { $megabytes } MB.
action-send-file = Send a file or photo
field-caption = Caption

## reminders of a paid booking
ev-ClientReminded = { $action ->
    [quiet] not reminded of the booking: their quiet hours
    [template] reminded of the booking by WhatsApp's template
    [none] ⚠️ not reminded of the booking: WhatsApp's 24 hours had passed and no reminder template is set
   *[other] reminded of the booking
}
clock-client-reminded = { $how ->
    [quiet] 🌙 The client was not reminded of { $request }: it fell in their quiet hours.
    [template] 🔔 The client was reminded of { $request } by the approved WhatsApp template (their 24 hours had passed).
    [none] 🔔 The client was not reminded of { $request }: WhatsApp's 24 hours have passed and no reminder template is set for the client's language (TWILIO_TEMPLATE_REMINDER_SID).
   *[other] 🔔 The client was reminded of { $request } on { $channel }.
}
clock-client-prefers-call = 📞 They prefer a call: please call them about { $request }.
reminder-all-good = ✅ The client confirmed { $request } at { $at }: all good.
reminder-change-asked = 🔁 The client needs a change to { $request } ({ $at }): answer them — the response clock runs.

## voicemails and recorded calls in writing
ev-VoicemailTranscribed = 📝 recording in writing: { $text }
voicemail-written = 📝 In writing: { $text }
voicemail-no-words = 📝 No words could be made out in the voicemail.
voicemail-not-written = 📝 The voicemail could not be put in writing ({ $reason }): listen to it above.
call-no-words = 📝 No words could be made out in the recording of the call.
call-not-written = 📝 The recording of the call could not be put in writing ({ $reason }): listen to it above.
stats-margins = (Margins: /stats in your private chat with the bot, or the console's Team page.)

## the Mini App's sign-in (issue 25)
err-miniapp-missing = The Mini App's sign-in from Telegram is missing.
err-miniapp-malformed = The Mini App's sign-in from Telegram cannot be read.
err-miniapp-forged = The Mini App's sign-in is not signed by this bot's Telegram.
err-miniapp-stale = The Mini App's sign-in has expired: open it again from the chat.

## the client's own page (the Mini App)
app-preferences-changed = 📱 The client changed in their page: { $what }.
app-card-removed = 📱 The client removed their saved card: no one-tap payment until they pay again.
app-call-me = 📞 The client asks to be called back from their page: /call
app-call-me-no-number = 📞 The client asks to be called back from their page, but their number is not known yet: ask for it.
card-contact = 📣 Prefers { $contact }
card-quiet = 🌙 Quiet { $from }–{ $to }
ev-ClientCardRemoved = saved card removed by the client
ev-ClientContactSet = preferred contact set
ev-ClientEmailSet = e-mail for receipts set
err-app-bad-email = The e-mail is not an address such as name@example.com.
app-what-email = e-mail for receipts
field-email-receipts = E-mail for fiscal receipts
err-app-too-long = A value in the client's page form is too long.
err-app-bad-contact = The preferred contact is telegram, whatsapp or phone.
err-app-bad-quiet = Quiet hours are two different whole hours.
err-app-bad-category = The request needs a category.
err-app-bad-when = The date is past or too far ahead.
err-app-bad-guests = Guests is a number from 1 to 500.
err-app-bad-budget = The budget is not an amount in RUB, USD, EUR or AED.
err-app-say-what = “Something else” needs a note saying what.
field-contact = Prefers (their page)
err-app-quiet-half = Quiet hours need both a start and an end.
app-what-language = language
app-what-contact = preferred contact or quiet hours
app-what-translation-on = machine translation on
app-what-translation-off = machine translation off (they prefer you read their own words)
app-what-notes = notes
pay-extra-leads = 💸 { $request } received { $amount } it did not need (transaction { $transaction }: paid twice, or after it closed). The client was told it comes back: refund that transaction in the CloudPayments dashboard — /refund here would return the request's own payment.
pay-extra-returned = 💸 The extra payment of { $amount } (transaction { $transaction }) for { $request } went back to the client; the request is as it was.
