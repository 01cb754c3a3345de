"""A participant's own data: see what is held, download it, and erase the account.

Every view here acts on ``request.user`` only; there are no ids in these addresses, so nobody
can reach anyone else's data through them. The rules live in ``privacy.services``.
"""

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from privacy import services as privacy

# Long enough for any real password; longer input is refused rather than hashed.
PASSWORD_MAX_LENGTH = 4096


class EraseForm(forms.Form):
    """They tick to confirm and re-enter their password, so nobody erases them by accident."""

    confirm = forms.BooleanField(
        label="I understand that erasing my account cannot be undone",
        error_messages={"required": "Tick the box to confirm you want your account erased."},
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "required": "Enter your current password.",
            "max_length": "That is not your current password. Nothing has been changed.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your current password. Nothing has been changed."
            )
        return password


class MyDataView(LoginRequiredMixin, TemplateView):
    """What the site holds about them, in summary, with the download and erase links."""

    template_name = "privacy/my_data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            data=privacy.personal_data_summary(user=self.request.user),
            refusal=privacy.erase_refusal(self.request.user),
            **kwargs,
        )


class MyDataDownloadView(LoginRequiredMixin, View):
    """Everything held about them as a JSON file."""

    def get(self, request, *args, **kwargs):
        data = privacy.personal_data(user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response


class EraseView(LoginRequiredMixin, FormView):
    """GET says what erasing does; POST (ticked and with their password) erases and signs out."""

    template_name = "privacy/erase_confirm.html"
    form_class = EraseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            refusal=privacy.erase_refusal(user),
            withdrawing=privacy.registrations_to_withdraw(user=user),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            privacy.erase_user(user=self.request.user)
        except privacy.PrivacyError as error:
            for reason in error.reasons:
                form.add_error(None, reason)
            return self.form_invalid(form)
        logout(self.request)
        return redirect("privacy:erased")


class ErasedView(TemplateView):
    """Shown after erasing, once they are signed out; it holds nothing about anyone."""

    template_name = "privacy/erased.html"
