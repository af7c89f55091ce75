"""Free-form intake: what can be understood from a client's message in English, Arabic or Russian, however
it is written (Gulf dialect, Arabic in Latin letters, Russian in Latin letters)."""

from domain.intake.understanding import Understanding, describes_new_need, understand
from domain.intake.words import Category

__all__ = ["Category", "Understanding", "describes_new_need", "understand"]
