from django import forms
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import AlertRule


class AlertRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Alert me when"), choices=AlertRule.Kind.choices)
    threshold = forms.IntegerField(label=_("Failures in a row"), required=False, initial=3, help_text=_("1 to 100."))
    duration_seconds = forms.IntegerField(
        label=_("Longer than (seconds)"), required=False, initial=300, help_text=_("1 to 86400 (one day).")
    )
    in_app = forms.BooleanField(label=_("In the app (bell)"), required=False, initial=True)
    email = forms.BooleanField(label=_("By email"), required=False, initial=True)
    slack_webhook_url = forms.CharField(
        label=_("Slack incoming webhook address"),
        required=False,
        max_length=500,
        help_text=_("Optional. Leave empty to keep the saved address."),
        widget=forms.TextInput(attrs={"placeholder": "https://hooks.slack.com/services/…", "autocomplete": "off", "spellcheck": "false"}),
    )
    remove_slack = forms.BooleanField(label=_("Stop sending to Slack"), required=False)
    recipients = forms.TypedMultipleChoiceField(
        label=_("Who is told"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nobody ticked: the owners and admins, and whoever created the flow."),
    )
    deactivate_after = forms.IntegerField(
        label=_("Switch the flow off after this many failures in a row"), required=False, help_text=_("Optional, 1 to 100. Empty: never.")
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(m.user_id, f"{m.user.display_name} · {m.get_role_display()}") for m in members]

    def changes(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in ("kind", "in_app", "email", "deactivate_after", "enabled")}
        # Left empty for a kind that does not use them: keep the defaults.
        values["threshold"] = 3 if data["threshold"] is None else data["threshold"]
        values["duration_seconds"] = 300 if data["duration_seconds"] is None else data["duration_seconds"]
        values["recipient_ids"] = list(data["recipients"])
        if data["remove_slack"]:
            values["slack_webhook_url"] = ""
        elif data["slack_webhook_url"].strip():
            values["slack_webhook_url"] = data["slack_webhook_url"].strip()
        return values
