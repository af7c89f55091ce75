# نصوص العميل. كل معرّف هنا موجود أيضاً في en/ و ru/.

language-choose = بأي لغة تفضّل أن أكتب إليك؟
language-set = سأكتب إليك بالعربية من الآن فصاعداً.
welcome = أهلاً وسهلاً { $name }. معك { $assistant } من فريق المساعدة الشخصية في موسكو. أخبرني بما تودّ ترتيبه — سيارة، حجز طاولة، تذاكر، أي شيء — وسأتولّى الأمر.
welcome-back = أهلاً بعودتك { $name }. { $assistant } في خدمتك — ماذا يمكننا أن نرتّب لك؟
request-received = طلبك رقم { $number } لدى { $assistant }. سنعود إليك قريباً.
conversation-closed = شكراً لك { $name }. متى احتجت إلى أي شيء آخر، اكتب إلينا فقط — نحن هنا على مدار الساعة.
error-generic = نعتذر، حدث خطأ من جهتنا. رسالتك محفوظة لدينا ونحن نعمل على حلّ المشكلة.
welcome-team = أهلاً وسهلاً { $name }. فريق الكونسيرج الخاص بك في موسكو في خدمتك. أخبرنا بما تودّ ترتيبه — سيارة، حجز طاولة، تذاكر، أي شيء — وسنتولّى الأمر.

## العروض والدفع
quote-title = عرض السعر لطلبك رقم { $number }:
quote-revised-title = عرض السعر المحدَّث لطلبك رقم { $number }:
quote-total = الإجمالي: { $total }
quote-valid = صالح حتى { $until }.
quote-how-to-pay = اضغط «ادفع» للدفع بالبطاقة بأمان.
button-pay = ادفع { $total }
button-pay-card = ادفع بالبطاقة •••• { $last4 }
button-ask = لدي سؤال
button-decline = رفض
quote-question = بكل سرور — اكتب سؤالك هنا وستصلك الإجابة من { $assistant } فوراً.
quote-declined = تم، لقد رفضت عرض السعر للطلب رقم { $number }. اكتب إلينا في أي وقت إذا رغبت في شيء آخر.
quote-expired = انتهت صلاحية هذا العرض. سيصلك عرض جديد من { $assistant }.
payment-confirm-link = يطلب مصرفك تأكيد هذه الدفعة. يرجى إتمامها عبر الزر أدناه.
payment-failed = لم تتم عملية الدفع ولم يُخصم أي مبلغ. يمكنك المحاولة مجدداً عبر الزر أدناه أو استخدام بطاقة أخرى.
receipt-title = إيصال رقم { $receipt }
receipt-request = الطلب رقم { $number }
receipt-paid = المبلغ المدفوع: { $total }
receipt-card = البطاقة: { $card }
receipt-transaction = رقم العملية { $transaction } · { $date }
receipt-thanks = شكراً لك. كل التفاصيل الآن في عهدة { $assistant }.
refund-title = استرداد رقم { $receipt }
refund-amount = المبلغ المسترد: { $amount }
refund-note = يعود المبلغ إلى بطاقتك خلال أيام قليلة بحسب مصرفك.

## التنفيذ
request-in-progress = طلبك رقم { $number } قيد التنفيذ.
request-done = اكتمل طلبك رقم { $number }. شكراً لثقتك بنا يا { $name } — كان ذلك من دواعي سرورنا.
request-cancelled = تم إلغاء طلبك رقم { $number }.
request-cancelled-reason = السبب: { $reason }

## واتساب: الأزرار تصبح خيارات مرقّمة
choices-hint = أرسل رقم اختيارك.

## The clock: a new assistant, quotes about to lapse, how did we do
client-reassigned = سيتولى { $assistant } خدمتك من الآن.
quote-reminder = تذكير لطيف: عرض السعر للطلب { $number } ({ $total }) صالح حتى { $until }.
quote-lapsed = انتهت صلاحية عرض السعر للطلب { $number } ولم يعد رابط الدفع يعمل. اكتب لنا متى شئت وسنرسل لك عرضًا جديدًا.
rating-ask = ما رأيك في خدمتنا في الطلب { $number }؟ قيّمنا من 1 إلى 5، ويسعدنا أن تكتب لنا أي ملاحظة في رسالتك التالية.
rating-thanks = شكرًا لتقييمك. إن رغبت في إضافة كلمة، فاكتبها هنا.

## Commands: the menu in a private chat with the bot, and /help
command-start = ابدأ، أو ابدأ من جديد
command-language = اختر اللغة
command-help = ما الذي يمكنني فعله لك
help = أنا خدمة الكونسيرج الخاصة بك في موسكو على مدار الساعة. اكتب ما تحتاجه بكلماتك — سيارة، طاولة في مطعم، تذاكر، مرشد، زهور، أي شيء — وسيتولى مساعدك الشخصي كل شيء. ستصلك عروض أسعار يمكنك دفعها هنا مباشرة، مع إيصال. لتغيير اللغة اكتب /language

phone-ask = حتى نتمكن من الاتصال بكم عند الحاجة، هل تتفضلون بمشاركة رقم هاتفكم؟ اضغطوا على الزر أدناه، ولن يراه إلا مساعدكم الشخصي.
phone-ask-button = 📱 مشاركة رقمي

## الهاتف (يقرؤها Twilio: جملة واحدة لكل منها)
voice-greeting = مرحبًا، معك خدمة الكونسيرج. سنوصلك الآن بـ { $assistant }.
voice-greeting-team = مرحبًا، معك خدمة الكونسيرج. سنوصلك الآن بمساعدك.
voice-recording-notice = قد يتم تسجيل هذه المكالمة لخدمتك.
voice-voicemail-prompt = لم نتمكن من الرد الآن. يرجى ترك رسالة بعد الصافرة، وسنعاود الاتصال بك قريبًا.
