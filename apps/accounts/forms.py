from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role


class SignupForm(forms.Form):
    organization = forms.CharField(
        label=_("Organization name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Hanbit Trading"), "autocomplete": "organization"}),
    )
    slug = forms.CharField(
        label=_("Web address"),
        max_length=64,
        required=False,
        help_text=_("3–30 lowercase letters, digits or hyphens. It becomes your organization's own web address."),
        widget=forms.TextInput(attrs={"placeholder": "hanbit", "autocapitalize": "none", "spellcheck": "false"}),
    )
    email = forms.CharField(
        label=_("Your work email"), max_length=254, required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        required=False,
        help_text=_("At least 10 characters; not a common password and not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(label=_("Password"), max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class InviteForm(forms.Form):
    email = forms.CharField(label=_("Email"), max_length=254, required=False, widget=forms.EmailInput())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    password = forms.CharField(
        label=_("Password"), max_length=256, required=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class MemberUpdateForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, required=False)
    is_active = forms.TypedChoiceField(coerce=lambda v: v == "1", choices=[("1", "1"), ("0", "0")], required=False, empty_value=None)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, required=False, widget=forms.TextInput(attrs={"placeholder": _("e.g. Reporting script")})
    )


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=100, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=(), help_text=_("Times in EZFlow are shown in this time zone."))
    allowed_internal_hosts = forms.CharField(
        label=_("Internal hosts flows may call"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: host names, IP addresses or ranges like 10.0.0.0/24. Everything else inside your network stays blocked."
        ),
    )

    def __init__(self, *args, **kwargs):
        from apps.accounts.services.organizations import time_zone_names

        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]


class PasswordResetForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}))


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("New password again"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ. Type the same password twice."))
        return cleaned
