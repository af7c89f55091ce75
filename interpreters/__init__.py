"""Machine translation between a client and their assistant: one adapter per provider (DeepL, Yandex Cloud
Translate), each over the provider's documented HTTP API. They take and give the markup of
domain/translation.py (placeholders for what must not change) and say Unavailable when the provider cannot
answer, so the engine sends the original instead."""
