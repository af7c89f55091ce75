# نصوص العميل. كل معرّف هنا موجود أيضاً في en/ و ru/.

language-choose = بأي لغة تفضّلون أن أكتب إليكم؟
language-set = سأكتب إليكم بالعربية من الآن فصاعداً.
welcome = أهلاً وسهلاً { $name }. معكم { $assistant } من فريق المساعدة الشخصية في موسكو. أخبروني بما تودّون ترتيبه — سيارة، حجز طاولة، تذاكر، أي شيء — وسأتولّى الأمر.
welcome-back = أهلاً بعودتكم { $name }. { $assistant } في خدمتكم — ماذا يمكننا أن نرتّب لكم؟
request-received = طلبكم رقم { $number } لدى { $assistant }. سنعود إليكم قريباً.
conversation-closed = شكراً لكم { $name }. متى احتجتم إلى أي شيء آخر، يكفي أن تكتبوا إلينا — نحن هنا على مدار الساعة.
error-generic = نعتذر، حدث خطأ من جهتنا. رسالتكم محفوظة لدينا ونحن نعمل على حلّ المشكلة.
welcome-team = أهلاً وسهلاً { $name }. فريق الكونسيرج الخاص بكم في موسكو في خدمتكم. أخبرونا بما تودّون ترتيبه — سيارة، حجز طاولة، تذاكر، أي شيء — وسنتولّى الأمر.

## العروض والدفع
quote-title = عرض السعر لطلبكم رقم { $number }:
quote-revised-title = عرض السعر المحدَّث لطلبكم رقم { $number }:
quote-total = الإجمالي: { $total }
quote-valid = صالح حتى { $until }.
quote-how-to-pay = للدفع بالبطاقة بأمان، يُرجى الضغط على «الدفع».
button-pay = الدفع { $total }
button-pay-card = الدفع بالبطاقة •••• { $last4 }
button-ask = لدي سؤال
button-decline = رفض
quote-question = بكل سرور — اكتبوا سؤالكم هنا وستصلكم الإجابة من { $assistant } فوراً.
quote-declined = حسناً، لن نمضي في عرض السعر للطلب رقم { $number }. يسعدنا أن نرتّب لكم أي شيء آخر — يكفي أن تكتبوا إلينا في أي وقت.
quote-expired = انتهت صلاحية هذا العرض. سيصلكم عرض جديد من { $assistant }.
quote-replaced = تم استبدال هذا العرض بعرض محدَّث للطلب رقم { $number }: { $total }، صالح حتى { $until }.
quote-already-paid = تم دفع هذا العرض بالفعل، ولا حاجة إلى أي إجراء آخر.
payment-confirm-link = يطلب مصرفكم تأكيد هذه الدفعة. يُرجى إتمامها عبر الزر أدناه.
payment-failed = لم تتم عملية الدفع ولم يُخصم أي مبلغ. يمكنكم المحاولة مجدداً عبر الزر أدناه أو استخدام بطاقة أخرى.
receipt-title = إيصال رقم { $receipt }
receipt-request = الطلب رقم { $number }
receipt-paid = المبلغ المدفوع: { $total }
receipt-card = البطاقة: { $card }
receipt-transaction = رقم العملية { $transaction } · { $date }
receipt-thanks = شكراً لكم. كل التفاصيل الآن في عهدة { $assistant }.
refund-title = استرداد رقم { $receipt }
refund-amount = المبلغ المسترد: { $amount }
refund-so-far = إجمالي ما تم استرداده حتى الآن: { $refunded } من أصل المبلغ المدفوع { $paid }
refund-note = يعود المبلغ إلى بطاقتكم خلال أيام قليلة بحسب مصرفكم.

## التنفيذ
request-in-progress = طلبكم رقم { $number } قيد التنفيذ.
request-done = اكتمل طلبكم رقم { $number }. شكراً لثقتكم بنا يا { $name } — كان ذلك من دواعي سرورنا.
request-cancelled = تم إلغاء طلبكم رقم { $number }.
request-cancelled-reason = السبب: { $reason }

## واتساب: الأزرار تصبح خيارات مرقّمة
choices-hint = يُرجى الرد برقم الخيار المطلوب.

## The clock: a new assistant, quotes about to lapse, how did we do
client-reassigned = ستكون خدمتكم من الآن في عهدة { $assistant }.
quote-reminder = تذكير لطيف: عرض السعر للطلب { $number } ({ $total }) صالح حتى { $until }.
quote-lapsed = انتهت صلاحية عرض السعر للطلب { $number } ولم يعد رابط الدفع يعمل. اكتبوا لنا متى شئتم وسنرسل لكم عرضًا جديدًا.
rating-ask = ما رأيكم في خدمتنا في الطلب { $number }؟ يُرجى تقييمنا من 1 إلى 5، ويسعدنا أن تكتبوا لنا أي ملاحظة في رسالتكم التالية.
rating-thanks = شكرًا لتقييمكم. إن رغبتم في إضافة كلمة، فاكتبوها هنا.

## Commands: the menu in a private chat with the bot, and /help
command-start = البدء أو إعادة البدء
command-language = اختيار اللغة
command-help = ما الذي يمكنني فعله لكم
help = أنا خدمة الكونسيرج الخاصة بكم في موسكو على مدار الساعة. اكتبوا ما تحتاجون إليه بكلماتكم — سيارة، طاولة في مطعم، تذاكر، مرشد، زهور، أي شيء — وسيتولى مساعدكم الشخصي كل شيء. ستصلكم عروض أسعار يمكنكم دفعها هنا مباشرة، مع إيصال. لتغيير اللغة اكتبوا /language

phone-ask = حتى نتمكن من الاتصال بكم عند الحاجة، هل تتفضلون بمشاركة رقم هاتفكم؟ اضغطوا على الزر أدناه، ولن يراه إلا مساعدكم الشخصي.
phone-ask-button = 📱 مشاركة رقمي

## الهاتف (يقرؤها Twilio: جملة واحدة لكل منها)
voice-greeting = مرحبًا، معكم خدمة الكونسيرج. سنوصلكم الآن بـ { $assistant }.
voice-greeting-team = مرحبًا، معكم خدمة الكونسيرج. سنوصلكم الآن بمساعدكم.
voice-recording-notice = قد يتم تسجيل هذه المكالمة لخدمتكم.
voice-voicemail-prompt = لم نتمكن من الرد الآن. يُرجى ترك رسالة بعد الصافرة، وسنعاود الاتصال بكم قريبًا.
fiscal-receipt = 🧾 الإيصال الضريبي لطلبكم { $number } ({ $amount }): { $link }
fiscal-receipt-refund = 🧾 الإيصال الضريبي لاسترداد مبلغ طلبكم { $number } ({ $amount }): { $link }
fiscal-receipt-settlement = 🧾 الإيصال الضريبي النهائي لطلبكم { $number } (بعد تقديم الخدمة، { $amount }): { $link }

## reminders of a paid booking
reminder-evening = تذكير بموعد الغد: الطلب { $number } في { $at } — { $place }. هل كل شيء كما خططنا؟
reminder-soon = اقترب الموعد: الطلب { $number } في { $at } — { $place }. هل كل شيء كما خططنا؟
button-all-good = كل شيء على ما يرام
button-need-change = أحتاج إلى تغيير
reminder-thanks = رائع — كل شيء جاهز لدى { $assistant }.
reminder-change = بكل سرور — اكتبوا لنا ما ترغبون في تغييره، وسيصل فورًا إلى { $assistant }.
reminder-over = هذا الحجز مغلق بالفعل — اكتبوا لنا متى شئتم إن احتجتم إلى أي شيء.
pay-extra = تلقّينا دفعة بقيمة { $amount } للطلب { $number } لم تكن مطلوبة. لا يترتب عليكم أي مبلغ إضافي، وسيُعاد المبلغ إلى بطاقتكم، وسيؤكد لكم مساعدكم ذلك.
