"""The answering form: one 1 to 5 choice per statement, one box per free-text question.

Every field is optional here (answers are saved as they are given, a page at a time); the
service insists on every statement only when the answers are sent. Only the fields a request
actually sends are saved, so the script on the page can send one answer at a time.
"""

from __future__ import annotations

from django import forms

from core.text import long_text_field
from surveys.models import SCALE, FreeTextQuestion, Statement

CHOOSE_ON_SCALE = "Choose one of the five answers, from strongly disagree to strongly agree."


def statement_field_name(statement: Statement) -> str:
    return f"statement_{statement.pk}"


def question_field_name(question: FreeTextQuestion) -> str:
    return f"question_{question.pk}"


class AnswersForm(forms.Form):
    def __init__(
        self,
        statements: list[Statement],
        questions: list[FreeTextQuestion],
        data=None,
        ratings: dict[int, int] | None = None,
        texts: dict[int, str] | None = None,
    ):
        super().__init__(data)
        self.statements = {statement_field_name(s): s for s in statements}
        self.questions = {question_field_name(q): q for q in questions}
        ratings, texts = ratings or {}, texts or {}
        for name, statement in self.statements.items():
            self.fields[name] = forms.TypedChoiceField(
                label=statement.text,
                choices=SCALE,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHOOSE_ON_SCALE},
            )
            self.initial[name] = ratings.get(statement.pk)
        for name, question in self.questions.items():
            self.fields[name] = long_text_field(question.text, rows=4)
            self.initial[name] = texts.get(question.pk, "")

    def _sent(self, name: str) -> bool:
        return self.data is not None and name in self.data

    def ratings(self) -> dict[int, int]:
        """The ratings the request sent, by statement id (needs ``is_valid()``)."""
        return {
            statement.pk: self.cleaned_data[name]
            for name, statement in self.statements.items()
            if self._sent(name) and self.cleaned_data.get(name) not in (None, "")
        }

    def texts(self) -> dict[int, str]:
        """The texts the request sent, by question id (needs ``is_valid()``)."""
        return {
            question.pk: self.cleaned_data[name]
            for name, question in self.questions.items()
            if self._sent(name)
        }

    def statement_fields(self):
        return [self[name] for name in self.statements]

    def question_fields(self):
        return [self[name] for name in self.questions]
