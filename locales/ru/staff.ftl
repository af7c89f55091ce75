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
state-new = Новые
state-quoted = Цена предложена
state-paid = Оплачены
state-in_progress = В работе
state-fulfilled = Выполнена
state-cancelled = Отменена
state-refunded = Возврат
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
field-preferences = Предпочтения
field-name = Имя
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
export-history = Выгрузить всю историю (JSON)

## команда
team-title = Показатели команды
team-charts = По дням
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
presence-away = отошёл
presence-inactive = отключён
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
kpi-11 = CSAT
kpi-12 = эскалации

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
audit-intact = ✅ Цепочка аудита цела
audit-broken = ⚠️ Цепочка аудита нарушена:

## одна строка на событие
ev-other = { $type }
ev-ClientRegistered = новый клиент { $name }
ev-ClientAssigned = назначен ассистент: { $assistant }
ev-ClientCardSaved = карта сохранена для оплаты в одно касание
ev-ClientTagged = метки: { $tags }
ev-ClientPreferencesSet = предпочтения: { $text }
ev-ClientPhoneShared = поделился номером телефона
ev-ClientLanguageChanged = язык: { $language }
ev-ConversationOpened = разговор открыт
ev-ConversationClosed = разговор закрыт
ev-MessageReceived = { $channel }: { $text }
ev-StaffMessageSent = ответ: { $text }
ev-NoteAdded = заметка: { $text }
ev-StaffCommandIssued = { $command } { $args }
ev-ClientActionTaken = { $command } { $args }
ev-RequestOpened = открыта заявка: { $text }
ev-RequestQuoted = цена v{ $version }: { $amount }
ev-RequestPaid = оплачено { $amount }
ev-RequestStarted = в работе
ev-RequestFulfilled = выполнена
ev-RequestCancelled = отменена: { $reason }
ev-RequestRefunded = возврат { $amount }
ev-PaymentFailed = платёж не прошёл
ev-ResponseOverdue = клиент ждал слишком долго (шаг { $step })
ev-QuoteExpired = цена истекла без оплаты
ev-RequestRated = оценка { $rating }/5
ev-AssistantAdded = { $name } в команде
ev-AssistantDeactivated = отключён
ev-AssistantAway = отошёл
ev-AssistantBack = вернулся
ev-ConsoleSignedIn = вошёл в консоль
ev-ClientDataExported = выгрузил историю клиента
staff-welcome = Здравствуйте, { $name }! Это служебная сторона бота: сюда приходят ссылки для входа в консоль.
duration-minutes = { $minutes } мин
duration-hours = { $hours } ч { $minutes } мин
