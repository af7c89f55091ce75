# Тексты для сотрудников: консоль и сообщения о входе.

## вход
signin-link = 🔐 Ваша ссылка для входа в консоль: {"{"}link{"}"}
    Она сработает один раз, в течение { $minutes } минут, и только для вас — не пересылайте её.
signin-button = Открыть консоль
signin-sent-privately = 🔐 Я отправил вам ссылку для входа в личный чат.
signin-open-private-chat = ⚠️ Я пока не могу написать вам лично: откройте личный чат с ботом, нажмите «Старт» и напишите там /console.
signin-title = Вход в консоль
signin-how = Напишите боту в Telegram /console (в форуме сотрудников или в личном чате с ним): он пришлёт одноразовую ссылку для входа.
signin-continue = Продолжить
signin-refused = Эта ссылка больше не действует (уже использована, истекла или искажена). Напишите боту /console, чтобы получить новую.
signin-busy = Слишком много попыток входа отсюда; подождите минуту и попробуйте снова.
sign-out = Выйти

## навигация и общие слова
nav-board = Доска
nav-clients = Клиенты
nav-team = Команда
nav-payments = Платежи
nav-activity = Журнал
role-lead = руководитель
back = Назад
save = Сохранить
filter-apply = Применить
actions = Действия
timeline = История
timeline-empty = Пока ничего не записано.

## доска
board-title = Открытые заявки
board-filter = Ассистент
board-everyone = Все
board-empty = Здесь пусто.
board-more = Показать ещё
state-new = Новые
state-quoted = Цена предложена
state-paid = Оплачены
state-in_progress = В работе
state-fulfilled = Выполнена
state-cancelled = Отменена
state-refunded = Возврат
state-partly-refunded = Частичный возврат { $refunded } из { $paid }
clock-waiting-reply = ждёт ответа { $minutes }
clock-waiting-quote = ждёт цены { $minutes }
clock-due-in = осталось { $minutes }
clock-overdue = просрочено на { $minutes }
category-chauffeur = Водитель
category-dining = Рестораны
category-hotel = Отель
category-aviation = Авиация
category-events = Мероприятия
category-shopping = Шопинг
category-security = Охрана
category-wellness = Велнес
category-tours = Экскурсии
category-other = Другое

## заявка
request-client-page = Карточка клиента
field-category = Категория
field-when = Когда
field-assistant = Ассистент
field-language = Язык
field-phone = Телефон
field-quote = Цена
field-paid = Оплачено
field-refunded = Возвращено
field-fiscal-receipt = Кассовый чек
fiscal-income = приход
fiscal-income_return = возврат прихода
fiscal-settlement = полный расчёт
field-preferences = Предпочтения
field-name = Имя
field-client-id = Номер клиента
field-channels = Каналы
field-tags = Метки
field-lifetime = Сумма за всё время
field-state = Статус
field-amount = Сумма
field-time = Время
action-reply = Ответ клиенту
action-send = Отправить
action-note = Внутренняя заметка (клиент её не увидит)
action-add-note = Добавить заметку
action-progress = В работу
action-done = Выполнено
action-cancel = Отменить заявку
action-cancel-reason = причина
action-refund = Возврат…
action-reassign = Передать
action-reassign-go = Передать
delivery-sent = отправлено
delivery-delivered = доставлено
delivery-read = прочитано
delivery-failed = не доставлено
delivery-pending = в очереди
delivery-sending = отправляется
delivery-held = ждёт окна (24 часа)
delivery-uncertain = неизвестно
refund-title = Возврат
refund-explain = { $name } оплатил(а) { $amount }. Деньги вернутся на ту же карту; клиенту сообщим.
refund-explain-left = Из них уже возвращено { $refunded }; вернуть можно ещё не больше { $left }.
refund-amount = Сумма ({ $currency }); пусто — вернуть всё
refund-confirm = Да, вернуть

## клиенты
clients-title = Клиенты
clients-search = Имя, @username, последние цифры телефона, метка
clients-find = Найти
clients-none = Никого не нашлось.
client-requests = Заявки
client-no-requests = Заявок пока нет.
preferences-example = только халяль; Maybach; не звонить после 22:00
erase-client = Удалить персональные данные…
erase-explain = Имя, номера, имя пользователя, сообщения, заметки, предпочтения и ссылки на файлы станут нечитаемыми навсегда — здесь, в выгрузках и в резервных копиях, снятых после этого; тема будет удалена из форума. Платежи и чеки сохранят то, что требует закон. Отменить нельзя.
erase-type-id = Введите { $client } для подтверждения
erase-confirm = Удалить навсегда
client-erased = данные удалены
client-erased-explain = Персональные данные клиента удалены. В заявках остались денежные записи; новое сообщение того же человека начнёт нового клиента.
export-history = Выгрузить всю историю (JSON)
console-merge-label = Тот же человек, что и { $client }:
console-merge = Объединить с этим клиентом

## команда
team-title = Показатели команды
team-charts = По дням
team-charts-weekly = По неделям
chart-of-first-response = первый ответ (медиана)
chart-of-revenue = выручка ({ $currency })
chart-of-promises = обещания выполнены
chart-max = максимум { $value }
chart-no-data = пока нет данных
team-nothing = За этот период ничего не произошло.
team-presence = На месте
team-open = Открытых
team-deactivate = Отключить
team-deactivate-confirm = Отключить { $name }? Сессии закончатся сразу, новых клиентов не будет.
team-add = Добавить ассистента
team-telegram-id = Telegram id
team-languages = Языки (en, ar, ru)
team-ui-language = Язык консоли
team-add-go = Добавить
presence-on-duty = на месте
presence-away = не на месте
presence-inactive = отключён(а)
chart-first-response = первый ответ (мин)
chart-revenue = выручка
chart-promises = обещания выполнены
kpi-1 = клиенты
kpi-2 = заявки
kpi-3 = первый ответ p50
kpi-4 = первый ответ p90
kpi-5 = обещания выполнены
kpi-6 = первая цена p50
kpi-7 = цены
kpi-8 = цена→оплата
kpi-9 = выручка
kpi-10 = возвраты
kpi-11 = чистая выручка
kpi-12 = CSAT
kpi-13 = эскалации
kpi-14 = маржа
kpi-15 = маржа, %
kpi-16 = оплачено с себестоимостью

## платежи
payments-title = Платежи и возвраты
payments-days = Дней
payments-currency = Валюта
payments-kind = Вид
payments-all = Все
payments-payment = оплата
payments-refund = возврат
payments-card = Карта
payments-in = получено
payments-out = возвращено
payments-net = итого
payments-none = За этот период платежей нет.

## журнал
activity-title = Журнал
activity-none = За последние два дня ничего.
audit-checking = Проверяю цепочку аудита…
audit-intact = ✅ Цепочка аудита цела: проверено событий — { $events }, потоков — { $streams }
audit-broken = ⚠️ Цепочка аудита нарушена (проверено событий — { $events }, потоков — { $streams }): { $broken }

## одна строка на событие
ev-ClientRegistered = новый клиент { $name }
ev-ClientAssigned = назначен ассистент: { $assistant }
ev-ClientCardSaved = карта сохранена для оплаты в одно касание
ev-ClientTagged = метки: { $tags }
ev-ClientPreferencesSet = предпочтения: { $text }
ev-ClientPhoneShared = поделился номером телефона
ev-ClientLanguageChanged = язык: { $chosen ->
    [en] английский
    [ar] арабский
    [ru] русский
   *[other] { $chosen }
}
ev-ConversationOpened = разговор открыт
ev-ConversationClosed = разговор закрыт
ev-MessageReceived = { $channel }: { $text }
ev-StaffMessageSent = ответ: { $text }
ev-NoteAdded = заметка: { $text }
ev-StaffCommandIssued = { $command } { $args }
ev-ClientActionTaken = { $action ->
        [ask] вопрос по предложению { $request }
        [decline] отказ от предложения по { $request }
        [tap] оплата { $request } сохранённой картой
        [all-good] { $request }: всё в силе
        [change] { $request }: нужно изменить
        [call-me] просит перезвонить
       *[other] { $action } { $request }
    }{ $stale ->
        [True] { " " }(предложение уже не действовало)
       *[False] { "" }
    }
ev-RequestOpened = открыта заявка: { $text }
ev-RequestQuoted = цена v{ $version }: { $amount }
ev-RequestPaid = оплачено { $amount }
ev-RequestStarted = в работе
ev-RequestFulfilled = выполнена
ev-RequestCancelled = отменена: { $reason }
ev-RequestRefunded = возврат { $amount }
ev-PaymentFailed = платёж не прошёл
ev-FiscalReceiptIssued = выдан кассовый чек
ev-ResponseOverdue = клиент ждал слишком долго (шаг { $step })
ev-QuoteExpired = цена истекла без оплаты
ev-RequestRated = оценка { $rating }/5
ev-AssistantAdded = { $name } в команде
ev-AssistantDeactivated = отключение
ev-AssistantAway = не на месте
ev-AssistantBack = снова на месте
ev-ConsoleSignedIn = вход в консоль
ev-ClientDataExported = выгрузка истории клиента
ev-ClientErased = персональные данные клиента удалены
ev-SavedReplySet = 💬 сохранённый ответ «{ $name }» записан
ev-SavedReplyRemoved = 💬 сохранённый ответ «{ $name }» удалён
ev-SavedReplyUsed = 💬 отправлен сохранённый ответ «{ $name }»
ev-MessageTranslated = 🌐 перевод ({ $target }): { $text }
ev-TranslationSet = 🌐 машинный перевод: { $state }
ev-ClientIdentityLinked = привязан аккаунт { $channel }
ev-ClientUnreachable = недоступен в { $channel }
ev-ClientTopicRequested = открывается тема клиента в форуме
ev-ClientTopicOpened = тема клиента открыта в форуме
ev-ClientTopicLost = тема клиента удалена в форуме
ev-ClientCardPosted = карточка клиента закреплена в теме
ev-ForumTopicOrphaned = удалена тема форума, о которой не было записи
ev-ChoicesOffered = предложены варианты с номерами в { $channel }
ev-DeliveryProblem = сообщение в { $channel } { $problem ->
    [window-closed] ждёт: 24-часовое окно закрыто
    [maybe-twice] могло прийти дважды
    [lapsed] ушло шаблоном или не ушло вовсе: 24-часовое окно закрылось
   *[other] не доставлено
}
ev-InboxItemSetAside = входящее обновление { $source } отложено: нужно посмотреть (concierge inbox failed)
ev-DeadlineSetAside = шаг часов не удался окончательно и отложен: руководители оповещены
ev-ProjectionQuarantined = событие, которое нельзя применить к проекциям, отложено (concierge audit verify)
ev-PhoneAsked = клиента попросили поделиться номером телефона
ev-AssistantReactivated = снова в команде
ev-RequestMessageAdded = дополнение к заявке: { $text }
ev-RequestDetailsChanged = детали заявки изменены: { $field ->
        [when] время
        [category] категория
        [guests] гости
        [place] место
        [budget] бюджет
       *[other] { $field }
    }
ev-RequestCardPosted = карточка заявки опубликована в теме
ev-ClientMerged = объединён с { $into } (тот же человек)
ev-RequestMoved = перенесена от { $from } к { $to }
ev-QuoteReminded = напоминание о цене v{ $version }
ev-FulfilmentDue = { $action ->
    [overdue] ⚠️ время оплаченной заявки прошло
   *[other] время оплаченной заявки приближается
}
ev-RatingAsked = клиента попросили оценить сервис
ev-RatingCommented = комментарий к оценке: { $text }
ev-ForumTopicRequested = открывается тема форума «{ $purpose }»
ev-ForumTopicOpened = тема форума «{ $purpose }» открыта
ev-ForumTopicLost = тема форума «{ $purpose }» удалена
ev-AssistantUiLanguageSet = язык консоли: { $chosen ->
    [en] английский
    [ru] русский
   *[other] { $chosen }
}
ev-ConsoleSignInSent = отправлена ссылка для входа в консоль
ev-AssistantPhoneSet = указан телефон для звонков
ev-CallReceived = 📞 { $direction ->
    [outbound] звонок клиенту
   *[other] входящий звонок
}
ev-CallLegEnded = 📞 телефон { $assistant }: { $status ->
    [completed] ответил
    [busy] занято
    [no-answer] нет ответа
    [failed] ошибка
    [canceled] отменён
   *[other] { $status }
}
ev-CallRequested = 📞 { $assistant } звонит клиенту
ev-CallLegStatus = 📞 звонок: { $status ->
    [ringing] идёт вызов
    [in-progress] идёт разговор
    [answered] отвечен
    [completed] завершён
   *[other] { $status }
}
staff-welcome = Здравствуйте, { $name }! Это служебная сторона бота: сюда приходят ссылки для входа в консоль.
duration-minutes = { $minutes } мин
duration-under-a-minute = меньше минуты
duration-hours = { $hours } ч { $minutes } мин

## карточка заявки и карточка клиента (в теме)
card-day-only = { $day } · время?
card-urgent = {" "}· ⚡ срочно
card-time-unsure = время?
card-time-past = {" "}· ⚠️ уже прошло на момент сообщения: уточните
card-quote-lapsed = {" "}(цена истекла)
card-partly-refunded = {" "}· частичный возврат { $refunded } из { $paid }
card-state-new = новая
card-state-quoted = цена предложена
card-state-paid = ОПЛАЧЕНА
card-state-in_progress = в работе
card-state-fulfilled = выполнена
card-state-cancelled = отменена
card-state-refunded = возврат
card-open-state-new = новая
card-open-state-quoted = цена предложена
card-open-state-paid = оплачена
card-open-state-in_progress = в работе
card-open-state-fulfilled = выполнена
card-open-state-cancelled = отменена
card-open-state-refunded = возврат
card-category-chauffeur = Водитель и транспорт
card-category-dining = Рестораны
card-category-hotel = Отель
card-category-aviation = Авиация
card-category-events = Мероприятия и билеты
card-category-shopping = Шопинг и подарки
card-category-security = Охрана
card-category-wellness = Велнес и медицина
card-category-tours = Экскурсии и гиды
card-category-other = Другое
card-budget = 💰 Бюджет: { $budget }
card-words-translated = 💬 { $via }🌐 { $pairs }: «{ $text }»
card-words-original = ↳ в оригинале: «{ $text }»
card-quote = 🧾 Цена v{ $version }: { $total }, действует до { $until }
card-quote-taken = 🧾 Цена v{ $version }: { $total }
card-a-card = карта
card-paid = ✅ Оплачено { $amount } · { $card } · транзакция { $transaction } · чек { $receipt }
card-refunded = ↩️ Возврат { $amount } · транзакция { $transaction }
card-fiscal = 🧾 Кассовый чек { $amount }: { $link }
card-fiscal-refund = 🧾 Чек возврата { $amount }: { $link }
card-fiscal-settlement = 🧾 Чек полного расчёта { $amount }: { $link }
card-cancelled = ✖️ Отменена: { $reason }
language-en = английский
language-ar = арабский
language-ru = русский
card-language-unknown = ещё не выбран
card-unreachable = {" "}— недоступен: { $channels }
card-assistant = 🧑‍💼 Ассистент: { $name }
card-unassigned = не назначен
card-open-requests = 📋 Открытые заявки: { $requests }
card-none = нет

## часы
clock-reminded = ⏰ { $assistant }, { $client } ждёт ответа уже { $wait }.
clock-escalated = ⚠️ { $client } ждёт ответа от { $assistant } уже { $wait } (обещано { $promise } мин). Ответьте /take, чтобы взять клиента, или /assign <имя>.
clock-nobody = никто
clock-their-language = язык не указан
clock-unassignable = 🆘 { $client } ждёт уже { $wait }; { $assistant } { $why ->
        [away] не на месте
       *[silent] не ответил(а)
    }, а из остальных, кто на месте, никто не говорит на языке клиента ({ $spoken }). Ответьте /take, чтобы взять клиента.
clock-handover = 🔁 { $client } теперь у { $assistant }: ждёт уже { $wait }.
clock-handover-from = 🔁 { $client } теперь у { $assistant }: ждёт уже { $wait }, { $old } { $why ->
        [away] не на месте
       *[silent] не ответил(а)
    }.
clock-handover-above = {" "}Переписка выше.
clock-quote-reminded = ⏰ { $assistant }, { $request } ждёт цены уже { $wait }.
clock-quote-escalated = ⚠️ { $request } ({ $client }) ждёт цены уже { $wait } ({ $who }).
clock-quote-lapses-soon = 🔔 Клиенту напомнили, что цена v{ $version } по { $request } скоро истечёт.
clock-team = Команда
clock-fulfilment-soon = ⏰ { $assistant }, { $request } — { $at } (через { $left }).
clock-fulfilment-late = ⏰ { $assistant }, { $request } — { $at } ({ $ago } назад): напоминание опоздало.
clock-fulfilment-overdue = ⚠️ { $request } ({ $client }) был назначен на { $at } и не отмечен /done ({ $who }).
clock-quote-lapsed = ⌛ Цена v{ $version } по { $request } истекла без оплаты; ссылка на оплату отменена.
clock-client-told = Клиенту сообщили.
clock-client-not-told = Клиенту не сообщили (окно WhatsApp в 24 часа закрыто).
clock-quote-again = /quote отправит новую.
clock-set-aside = ⚠️ Часы не смогли выполнить { $item } (шаг { $step }: { $reason }) и отложили его: повторов не будет, проверьте, пожалуйста, сами.

## платежи
pay-unexpected = ⚠️ Пришла оплата { $amount } (транзакция { $transaction }) по { $request }, статус заявки: { $state }. Руководитель может вернуть эту транзакцию в CloudPayments (не командой /refund: она вернула бы основную оплату заявки).
pay-paid = ✅ Оплачено: { $request } · { $amount } · { $card } · транзакция { $transaction } · чек { $receipt }
pay-test-mode = ⚠️ Пришла тестовая оплата { $amount } (транзакция { $transaction }) по { $request }. Тестовые платежи не переводят деньги, поэтому ничего не изменилось: клиент не заплатил.
pay-failed = ⚠️ Оплата по { $request } не прошла: { $reason }
pay-failed-code = {" "}(код { $code })
pay-failed-link-again = {"."} Клиент снова получил ссылку.
pay-3ds = банк запросил 3-D Secure
pay-one-tap-failed = 💳 Оплата в одно касание по { $request } не прошла ({ $why }); у клиента есть ссылка на оплату.
pay-refund-unexpected = ⚠️ Пришёл возврат { $amount } (транзакция { $transaction }) по { $request }, но возвращать уже нечего. Проверьте в CloudPayments.
pay-refunded = ↩️ Возврат { $amount } по { $request } (транзакция { $transaction }); клиент получил чек возврата.
pay-refunded-so-far = Возвращено { $refunded } из { $paid }; статус заявки прежний: { $state }.
pay-refunded-all = Всё оплаченное ({ $paid }) возвращено.

## заявки и переписка
quote-sent = 🧾 Цена v{ $version } по { $request } отправлена клиенту: { $total }.
quote-old-link-cancelled = Ссылка v{ $version } отменена.
quote-old-link-not-cancelled = ⚠️ Старую ссылку отменить не удалось: { $error }
quote-question-asked = ❓ У клиента вопрос по { $request }.
req-in-progress = ▶️ { $request } в работе.
req-fulfilled = 🏁 { $request } выполнена; клиента поблагодарили.
req-cancelled = ✖️ { $request } отменена: { $reason }
reason-declined-by-client = клиент отказался от предложения
reason-by-assistant = ассистент не указал причину
req-time-past = ⚠️ { $request }: время, которое назвал клиент ({ $at }), уже прошло на момент сообщения. Уточните время у клиента, затем /edit when …
req-cancelled-paid = 💸 Заявка была оплачена ({ $amount }). Руководитель может вернуть деньги: /refund или /refund <сумма>.
req-link-not-cancelled = ⚠️ Ссылку на оплату отменить не удалось: { $error }
moved = ➡️ { $client } теперь у { $assistant }.
closed = ✅ { $assistant } закрыл(а) разговор; клиенту сообщили.
console-note = 📝 { $assistant } (консоль): { $text }
console-reply = 💬 { $assistant } (консоль) → клиенту:
    { $text }
rated = { $client } оценил(а) { $request } на { $score }/5.
rated-low = { $client } оценил(а) { $request } на { $score }/5{ $who }.
set-aside-the-client = клиент
set-aside = ⚠️ То, что прислал { $who }, не удалось обработать ({ $reason }); оно отложено, ничего не потеряно. Когда причина будет устранена: concierge inbox retry { $item }
quarantined = ⚠️ Событие в журнале не удаётся применить ({ $item }, { $type }: { $reason }); его запись остаётся такой, какой была до него, всё остальное работает. Подробности: concierge audit verify
set-aside-topic = ⚠️ Сообщение в этой теме не удалось обработать ({ $reason }); оно отложено, ничего не потеряно. Когда причина будет устранена: concierge inbox retry { $item }
merged-their-topic = его тему
merged-duplicate = 🔗 { $duplicate } — это { $survivor } (тот же телефон): переписка продолжается в { $where }.
merged-duplicate-by-hand = 🔗 { $duplicate } — это { $survivor } (объединены руководителем): переписка продолжается в { $where }.
merged-survivor = 🔗 { $survivor } теперь пишет и с аккаунта { $duplicate } ({ $channels }).
not-delivered-blocked = ⚠️ Не доставлено: клиент заблокировал бота в Telegram.
client-blocked = ⚠️ Клиент заблокировал бота в Telegram: сообщения ему не доставляются. Он снова станет доступен, как только напишет.
a-file = файл
maybe-twice = ⚠️ После сбоя это могло уйти дважды { $where ->
        [topic] в эту тему
       *[client] клиенту
    }: «{ $preview }»
wa-window-template-sent = ⏳ Клиент писал в WhatsApp больше 24 часов назад: ваши сообщения ждут, шаблон для возобновления отправлен. Они уйдут, когда клиент ответит.
wa-window-no-template = ⏳ Клиент писал в WhatsApp больше 24 часов назад, а шаблон для возобновления на языке клиента не настроен (TWILIO_TEMPLATE_REOPEN_SID): ваши сообщения ждут, пока клиент не напишет первым.
wa-lapsed = { $template ->
    [yes] ⏳ Когда подошла очередь напоминания, 24 часа WhatsApp уже прошли, поэтому вместо него ушёл одобренный шаблон напоминания: «{ $preview }»
   *[no] ⏳ Когда подошла очередь напоминания, 24 часа WhatsApp уже прошли, а шаблон напоминания на языке клиента не задан (TWILIO_TEMPLATE_REMINDER_SID): оно не отправлено. «{ $preview }»
}
wa-uncertain = ❔ Twilio принял сообщение WhatsApp, но ответа не было ({ $error }). Повторно оно не отправлено, чтобы не было дубля. Уточните у клиента, прежде чем отправлять снова: «{ $preview }»
wa-refused = ⚠️ Twilio отклонил сообщение WhatsApp (ошибка { $code }): { $error }
wa-undelivered = ⚠️ WhatsApp не доставил сообщение ({ $state }, ошибка Twilio { $code }): «{ $preview }»
wa-not-sent = ⚠️ Не отправлено в WhatsApp: { $problem ->
        [size] файл весит { $megabytes } МБ, а WhatsApp принимает до 16 МБ
       *[kind] { $kind } нельзя отправить в WhatsApp; отправьте фото, документ, видео или текст
    }.

## команды сотрудников
away = 🌙 { $assistant } — не на месте { $back }. Новые клиенты уходят другим; напоминания о ваших клиентах — руководителям, а ждущего клиента передадут тому, кто на месте.
away-until = до { $until }
away-until-back = пока вы не напишете /back
welcome-back = ☀️ С возвращением, { $assistant }.
stats-title = 📊 { $period } по { $end }
stats-yours = {" "}(ваши)
unknown-command = Неизвестная команда /{ $name }.
unknown-command-here = Команда /{ $name } здесь не работает.
only-leads = Только руководитель может { $what }.
lead-only-assign = передать клиента
lead-only-take = взять клиента
lead-only-merge = объединять клиентов
lead-only-refund = сделать возврат
help-leads = {" "}(руководители)
help-topic = Команды в теме клиента:
help-topic-else = Всё остальное, что вы здесь пишете, уходит клиенту.
help-anywhere = Команды в любом месте форума:
help-private = Команды здесь:
# one per command of engine/commands/table.py (its help id): the help and Telegram's menus
help-command-note = внутренняя заметка; клиенту не отправляется
help-command-card = показать карточку клиента ещё раз
help-command-close = закрыть разговор (клиента поблагодарят)
help-command-assign = передать клиента другому ассистенту (в его теме или в ответ на эскалацию)
help-command-take = клиент теперь ваш (в его теме или в ответ на эскалацию)
help-command-merge = C-1042 — тот же человек: объединить с этим клиентом
help-command-quote = предложить цену по открытой заявке (или /quote RUB и по строке «позиция — сумма»); «cost 31000» в конце сохранит себестоимость для руководителей и вас
help-command-edit = исправить карточку заявки
help-command-progress = оплаченная заявка в работе
help-command-done = заявка выполнена (клиента поблагодарят)
help-command-cancel = отменить заявку
help-command-new = открыть новую заявку (из текста или последнего сообщения)
help-command-refund = вернуть оплату по заявке
help-command-call = позвонить клиенту: сначала звонит ваш телефон (клиент видит номер консьержа)
help-command-away = вы отошли: новых клиентов не будет, напоминания — руководителям
help-command-back = вы вернулись
help-command-stats = показатели (ваши; руководитель видит всех)
help-command-console = ссылка для входа в консоль, в ваш личный чат с ботом
help-command-help = команды, которые работают там, где вы её пишете
help-command-start = что работает в личном чате с ботом

## отказы консоли
console-form-incomplete = Форма неполная; обновите страницу и попробуйте снова.
console-form-expired = Форма устарела; обновите страницу и попробуйте снова.
console-form-unreadable = Не удалось прочитать форму (текст не в UTF-8); ничего не изменено.
console-unavailable = Хранилище сейчас не отвечает. Ничего не потеряно: попробуйте снова через несколько секунд.
console-reply-empty = Сначала напишите ответ.
console-too-long = Не больше { $limit } символов.
console-not-an-action = /{ $name } — не действие консоли.
console-bad-tag = Метка — одно слово из букв, цифр, - или _ (не «{ $tag }»).
console-too-many-tags = Не больше { $limit } меток.
console-languages = Консоль говорит на языках: { $languages }.
console-telegram-id = Telegram id — это число (ассистент может узнать свой у @userinfobot).
console-no-such-assistant = Такого ассистента нет.
console-not-yourself = Нельзя отключить себя; попросите другого руководителя.
console-confirm-refund = Сначала подтвердите возврат.
console-never-paid = { $request } не оплачивалась.
lead-only-add = добавлять ассистентов
lead-only-deactivate = отключать ассистентов
lead-only-export = выгружать историю клиента
lead-only-audit = проверять цепочку аудита

## отказы (ключ ошибки домена: err-<ключ>)
state-named = «{ $state }»
err-transition = заявку нельзя перевести из { $current } в { $target }
err-quote-usage = Напишите /quote 45000 RUB Mercedes S-Class с водителем, 18:00–23:00 — или /quote RUB и затем по строке на позицию: описание — сумма. RUB, если не указать USD, EUR или AED.
err-quote-currency = { $code } — валюта, которую мы не принимаем; используйте RUB, USD, EUR или AED.
err-amount = «{ $amount }» — это не сумма.
err-decimals = в { $amount } больше знаков после запятой, чем допускает { $currency }
err-amount-too-large = { $amount } — больше, чем может быть одна сумма (не больше { $most }).
err-quote-too-large = Итог предложения — не больше { $most }.
err-quote-line = «{ $line }» нужно написать так: описание — сумма. { err-quote-usage }
err-quote-line-currency = все строки должны быть в { $currency }; «{ $line }» — в { $other }.
err-quote-needs = Для цены нужны сумма и описание. { err-quote-usage }
err-quote-currency-once = Укажите валюту один раз. { err-quote-usage }
err-quote-two-amounts = В «{ $line }» две суммы, { $first } и { $last }: напишите цену первой, с валютой — /quote 45000 RUB …
err-refund-amount = возврат — больше 0 и не больше оплаченных { $paid }
err-refund-left = возврат — больше 0 и не больше ещё не возвращённых { $left } из оплаченных { $paid }
err-time-of-day = «{ $text }» — это не время суток
err-away = Напишите /away, /away на 2 ч, /away на 45 мин или /away до 18:00 (а не «{ $text }»).
err-period = «{ $text }» — это не период вроде 7d или 24h
err-request-state = { $request } в статусе { $state }, а нужно { $wanted }.
err-no-such-request = У { $client } нет заявки { $request }.
err-no-request = У { $client } нет заявки в статусе { $wanted }. /new открывает новую.
err-no-payments = Платежи не настроены (CLOUDPAYMENTS_PUBLIC_ID, CLOUDPAYMENTS_API_SECRET).
err-edit-time = «{ $text }» — это не время; попробуйте /edit when 2026-12-01 20:00
err-edit-category = «{ $text }» — это не категория; используйте одну из: { $names }
err-edit-guests = «{ $text }» — это не число гостей
err-edit-usage = Напишите /edit <{ $fields }> <значение>, например /edit when 2026-12-01 20:00
err-new-empty = Не из чего открыть заявку: напишите /new <что просит клиент>.
err-never-paid = { $request } не оплачивалась.
err-note-empty = Заметке нужен текст: /note <текст>.
err-no-assistant = Нет активного ассистента по имени «{ $name }». Попробуйте /assign <имя>.
err-no-assistant-line = Нет активного ассистента по имени «{ $name }». Ответьте на строку /assign <имя>.
err-take-what = Ответьте на строку эскалации командой /take (или напишите /take C-1042).
err-merge-what = Напишите /merge C-1042 (номер есть на карточке другого клиента).
err-merge-unknown = Клиента { $client } нет.
err-merge-self = Это тот же клиент.
err-merge-merged = { $client } уже объединён с другим.
err-merge-same-channel = Оба пишут в одном канале: это два аккаунта, а не один человек.

## звонки (в теме клиента)
call-incoming = 📞 Входящий звонок от { $client } → звоним { $assistant }
call-voicemail-only = автоответчик (ни одному ассистенту нельзя позвонить)
call-answered = 📞 Разговор с { $assistant } · { $length }
call-next = 📞 { $assistant } не ответил(а) → звоним { $next }
call-to-voicemail = 📞 Никто не ответил → автоответчик
call-missed-voicemail = 📞 Пропущенный звонок · сообщение { $length }
call-missed = 📞 Пропущенный звонок · без сообщения
call-outbound = 📞 Сначала звоним { $assistant }, потом { $client } (клиент видит номер консьержа)
call-uncertain = ⚠️ Звонок начинался, когда сервис остановился; возможно, он не прошёл. Если не прошёл — напишите /call ещё раз.
call-client-no-answer = 📞 { $client } не ответил(а) ({ $status })
voice-client-no-answer = { $client } не ответил(а). Это отмечено в теме клиента; можно позвонить позже.
call-withheld-answered = 📞 Звонок со скрытого номера: говорил(а) { $assistant } · { $length }
call-withheld-missed = 📞 Пропущенный звонок со скрытого номера · без сообщения
call-withheld-voicemail = 📞 Пропущенный звонок со скрытого номера · сообщение { $length }
err-calls-off = Звонки не настроены (TWILIO_VOICE_NUMBER).
err-call-no-client-phone = У { $client } нет номера телефона.
err-call-no-own-phone = Ваш телефон не указан: concierge staff set-phone.
err-call-refused = Twilio отклонил звонок ({ $code }).
err-call-unreachable = Twilio недоступен; звонка не было.
card-calls-only = Телефон (только звонки)
calls-only-client = ⚠️ Не отправлено: этот клиент только звонил, написать ему некуда. Перезвоните: /call.
ev-CallAnswered = 📞 разговор по телефону с { $assistant }
ev-CallMissed = 📞 пропущенный звонок
ev-VoicemailRecorded = 🎙 оставлено сообщение
call-recorded = 📞 Запись разговора · { $length }
chatid-answer = Идентификатор этого чата: { $chat }. Чтобы сделать его форумом сотрудников, укажите TELEGRAM_STAFF_CHAT_ID={ $chat } в .env и перезапустите сервис (бот должен быть администратором с правом управлять темами).
chatid-this-forum = Это форум сотрудников (TELEGRAM_STAFF_CHAT_ID={ $chat }).
fiscal-receipt-topic = 🧾 Кассовый чек по { $request } ({ $amount }): { $link }
fiscal-receipt-topic-refund = 🧾 Чек возврата по { $request } ({ $amount }): { $link }
fiscal-receipt-topic-settlement = 🧾 Чек полного расчёта по { $request } ({ $amount }): { $link }
err-receipts-roubles = С кассовыми чеками (54-ФЗ) смета только в рублях: /quote 45000 RUB …
fiscal-settlement-failed = ⚠️ Чек полного расчёта по { $request } не напечатан: { $reason }. Пробейте его в личном кабинете CloudPayments (руководители получили оповещение).
fiscal-no-contact = 🧾 Кассовому чеку по { $request } некуда прийти: у клиента нет ни e-mail, ни телефона. Спросите e-mail (настройки на его странице или карточка клиента в консоли).
console-confirm-erase = Введите { $client } в поле, чтобы удалить данные клиента: ничего не изменено.
err-erase-open = { $requests } ещё открыта: завершите или отмените её (оплаченную — верните деньги). Ничего не удалено.
err-erase-unknown = Нет клиента { $client }.
console-client-erased = Персональные данные { $client } удалены: ему больше ничего не отправляется и о нём ничего не сохраняется.
translation-unavailable = ⚠️ 🌐 Перевод сейчас недоступен; слова клиента как есть:
translation-sent = 🌐 Отправлено на языке «{ $tongue }»: { $text }
translation-not-sent = ⚠️ 🌐 Перевод сейчас недоступен: ваше сообщение ушло клиенту как написано.
help-command-translate = машинный перевод вкл/выкл: в теме клиента — для него, в другом месте — для ваших клиентов
translate-client = 🌐 Перевод для { $client }: { $state }.
translate-self = 🌐 Перевод сообщений ваших клиентов: { $state }.
translate-on = включён
translate-off = выключен
err-translate-usage = Напишите /translate on или /translate off.
card-translated ={ "" } · перевод для вас на { $tongue }
help-command-r = отправить сохранённый ответ на языке клиента (/r без имени — список)
reply-list = Сохранённые ответы: { $names }. Отправить: /r <имя>.
reply-none = Сохранённых ответов пока нет: их ведут руководители в консоли (Ответы).
reply-sent = 💬 Отправлен сохранённый ответ «{ $name }»: { $text }
err-reply-unknown = Нет сохранённого ответа «{ $name }»: /r без имени покажет список.
err-reply-unfilled = «{ $name }» не отправлен: для { $variables } пока нечего подставить (время — /edit when …, заявку — /new). Или напишите ответ сами.
err-reply-name = Имя ответа — короткое слово: буквы, цифры, - и _ (например welcome или car-ready).
err-reply-too-long = Сохранённый ответ — не длиннее 2000 символов.
err-reply-variable = Неизвестная переменная {"{"}{ $variable }{"}"}: используйте {"{"}client{"}"}, {"{"}assistant{"}"}, {"{"}request{"}"} или {"{"}time{"}"}.
err-reply-empty = Нужен текст ответа хотя бы на одном языке.
err-reply-leads = Сохранённые ответы ведут только руководители.
nav-replies = Ответы
replies-title = Сохранённые ответы
replies-explain = Отправляются командой /r <имя> в теме клиента или со страницы заявки, на языке клиента (иначе по-английски). Переменные: { $variables }.
replies-name = Имя
replies-remove = Удалить
replies-none = Сохранённых ответов пока нет.
replies-keep = Добавить или изменить ответ (то же имя — изменить)
action-saved-reply = Сохранённый ответ
action-fill-saved-reply = Вставить сохранённый ответ
field-translation = Машинный перевод
console-erase-not-compacted = Данные { $client } удалены, но хранилище было занято и его файл ещё не перезаписан: повторите удаление через минуту.

## search
nav-search = Поиск
search-title = Поиск
search-placeholder = Номер запроса, имя или цифры телефона клиента, слова из переписки
search-requests = Запросы
search-no-requests = Подходящих запросов нет.
search-messages = Сообщения
search-no-messages = Сообщений с этими словами нет.
search-in-translation = найдено в переводе
search-open = Открыть в хронологии
field-client = Клиент

## cost and margin
err-quote-cost-currency = Себестоимость — в валюте предложения, { $currency }: /quote 45000 { $currency } … cost 31000.
err-quote-cost-zero = Себестоимость должна быть больше нуля: … cost 31000.
quote-cost-kept = 🔒 Себестоимость сохранена: её и маржу видят в консоли руководители и { $assistant }.{ $taken_out ->
    [true] {" "}Команда /quote с ней убрана из этой темы.
   *[false] {""}
}
field-cost = Себестоимость
field-margin = маржа
message-not-taken-out = ⚠️ Telegram не дал боту удалить команду /quote с себестоимостью: удалите её вручную и разрешите боту удалять сообщения в настройках форума.
action-quote = Предложение
action-send-quote = Отправить предложение
quote-items-example = 45000 Mercedes S-Class с водителем — или по строке: Mercedes — 40000
field-currency = Валюта
err-quote-cost-amount = Себестоимость — это сумма, например 31000.
notify-message = 💬 { $client }
notify-escalation = ⚠️ Эскалация: { $client } всё ещё ждёт
notify-turn-on = 🔔 Уведомлять меня
notify-on = 🔔 Уведомления включены
console-file = 📎 { $assistant } отправил(а) { $name } из консоли. { $text }
console-file-empty = Выберите файл для отправки.
console-file-too-large = Файл из консоли — не больше { $megabytes } МБ.
action-send-file = Отправить файл или фото
field-caption = Подпись

## reminders of a paid booking
ev-ClientReminded = { $action ->
    [quiet] без напоминания о заказе: тихие часы клиента
    [template] напоминание о заказе шаблоном WhatsApp
    [none] ⚠️ без напоминания о заказе: 24 часа WhatsApp прошли, шаблон напоминания не задан
   *[other] напоминание о заказе
}
clock-client-reminded = { $how ->
    [quiet] 🌙 Клиенту не напомнили о { $request }: это его тихие часы.
    [template] 🔔 Клиенту напомнили о { $request } одобренным шаблоном WhatsApp (24 часа прошли).
    [none] 🔔 Клиенту не напомнили о { $request }: 24 часа WhatsApp прошли, шаблон напоминания на языке клиента не задан (TWILIO_TEMPLATE_REMINDER_SID).
   *[other] 🔔 Клиенту напомнили о { $request } в { $channel }.
}
clock-client-prefers-call = 📞 Клиент предпочитает звонок: позвоните ему о { $request }.
reminder-all-good = ✅ Клиент подтвердил { $request } на { $at }: всё в порядке.
reminder-change-asked = 🔁 Клиенту нужно изменить { $request } ({ $at }): ответьте ему — время ответа идёт.

## voicemails and recorded calls in writing
ev-VoicemailTranscribed = 📝 запись текстом: { $text }
voicemail-written = 📝 Текстом: { $text }
voicemail-no-words = 📝 В голосовом сообщении не удалось разобрать слов.
voicemail-not-written = 📝 Голосовое сообщение не удалось перевести в текст ({ $reason }): прослушайте его выше.
call-no-words = 📝 В записи разговора не удалось разобрать слов.
call-not-written = 📝 Запись разговора не удалось перевести в текст ({ $reason }): прослушайте её выше.
stats-margins = (Маржа: /stats в личном чате с ботом или на странице «Команда» в консоли.)

## the Mini App's sign-in (issue 25)
err-miniapp-missing = Нет данных входа Mini App от Telegram.
err-miniapp-malformed = Данные входа Mini App от Telegram не читаются.
err-miniapp-forged = Данные входа Mini App подписаны не Telegram этого бота.
err-miniapp-stale = Вход в Mini App устарел: откройте его снова из чата.

## страница клиента (мини-приложение)
app-preferences-changed = 📱 Клиент изменил на своей странице: { $what }.
app-card-removed = 📱 Клиент удалил сохранённую карту: оплаты в одно касание не будет до следующей оплаты.
app-call-me = 📞 Клиент просит перезвонить (со своей страницы): /call
app-call-me-no-number = 📞 Клиент просит перезвонить (со своей страницы), но его номер ещё не известен: попросите его.
card-contact = 📣 Предпочитает: { $contact }
card-quiet = 🌙 Тихие часы { $from }–{ $to }
ev-ClientCardRemoved = клиент удалил сохранённую карту
ev-ClientContactSet = выбран способ связи
ev-ClientEmailSet = указан e-mail для чеков
err-app-bad-email = E-mail должен быть адресом вида name@example.com.
app-what-email = e-mail для чеков
field-email-receipts = E-mail для кассовых чеков
err-app-too-long = Значение в форме страницы клиента слишком длинное.
err-app-bad-contact = Способ связи: telegram, whatsapp или phone.
err-app-bad-quiet = Тихие часы — два разных целых часа.
err-app-bad-category = У запроса должна быть категория.
err-app-bad-when = Дата уже прошла или слишком далеко.
err-app-bad-guests = Гостей — число от 1 до 500.
err-app-bad-budget = Бюджет — не сумма в RUB, USD, EUR или AED.
err-app-say-what = Для «Другого» нужна заметка, что именно.
field-contact = Предпочитает (со своей страницы)
err-app-quiet-half = Для тихих часов нужны и начало, и конец.
app-what-language = язык
app-what-contact = способ связи или тихие часы
app-what-translation-on = машинный перевод включён
app-what-translation-off = машинный перевод выключен (клиент предпочитает, чтобы вы читали его слова в оригинале)
app-what-notes = заметки
pay-extra-leads = 💸 По { $request } пришло { $amount }, которые не требовались (транзакция { $transaction }: оплачено дважды или после закрытия). Клиенту сказано, что деньги вернутся: верните эту транзакцию в личном кабинете CloudPayments — /refund здесь вернул бы основную оплату заявки.
pay-extra-returned = 💸 Лишняя оплата { $amount } (транзакция { $transaction }) по { $request } возвращена клиенту; заявка без изменений.
