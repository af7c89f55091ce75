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
state-new = New
state-quoted = Quoted
state-paid = Paid
state-in_progress = In progress
state-fulfilled = Fulfilled
state-cancelled = Cancelled
state-refunded = Refunded
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
field-preferences = Preferences
field-name = Name
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
export-history = Export complete history (JSON)

## team
team-title = The team's figures
team-charts = Per day
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
kpi-11 = CSAT
kpi-12 = escalations

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
audit-intact = ✅ Audit chain intact
audit-broken = ⚠️ Audit chain broken:

## one line per event
ev-other = { $type }
ev-ClientRegistered = new client { $name }
ev-ClientAssigned = assigned to { $assistant }
ev-ClientCardSaved = card saved for one-tap payments
ev-ClientTagged = tags: { $tags }
ev-ClientPreferencesSet = preferences: { $text }
ev-ClientPhoneShared = shared a phone number
ev-ClientLanguageChanged = language: { $language }
ev-ConversationOpened = conversation opened
ev-ConversationClosed = conversation closed
ev-MessageReceived = { $channel }: { $text }
ev-StaffMessageSent = reply: { $text }
ev-NoteAdded = note: { $text }
ev-StaffCommandIssued = { $command } { $args }
ev-ClientActionTaken = { $command } { $args }
ev-RequestOpened = request opened: { $text }
ev-RequestQuoted = quote v{ $version }: { $amount }
ev-RequestPaid = paid { $amount }
ev-RequestStarted = in progress
ev-RequestFulfilled = fulfilled
ev-RequestCancelled = cancelled: { $reason }
ev-RequestRefunded = refunded { $amount }
ev-PaymentFailed = a payment failed
ev-ResponseOverdue = the client waited too long (step { $step })
ev-QuoteExpired = the quote lapsed unpaid
ev-RequestRated = rated { $rating }/5
ev-AssistantAdded = { $name } joined the team
ev-AssistantDeactivated = deactivated
ev-AssistantAway = away
ev-AssistantBack = back
ev-ConsoleSignedIn = signed in to the console
ev-ClientDataExported = exported a client's history
staff-welcome = Hello { $name } — this is the staff side of the bot. Sign-in links to the console arrive here.
duration-minutes = { $minutes } min
duration-hours = { $hours } h { $minutes } min
