from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # One message for unknown users and wrong passwords, so usernames cannot be probed.
    error_messages = {
        "invalid_login": _("Wrong username or password."),
        "inactive": _("Wrong username or password."),
    }

    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
        help_text=_("The code your authenticator app shows now for trienkhai."),
    )
