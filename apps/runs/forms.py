import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.runs.models import Run


class RunFilterForm(forms.Form):
    """Filters of the run list, shared by the page and the API. Dates are days in the organization's time zone."""

    flow = forms.IntegerField(required=False, min_value=1, label=_("Flow"))
    status = forms.ChoiceField(required=False, choices=[("", _("Any status")), *Run.Status.choices], label=_("Status"))
    trigger = forms.ChoiceField(required=False, choices=[("", _("Any trigger")), *Run.Trigger.choices], label=_("Trigger"))
    kind = forms.ChoiceField(
        required=False,
        choices=[("", _("Production and tests")), ("production", _("Production runs only")), ("test", _("Tests from the editor only"))],
        label=_("Kind"),
    )
    date_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(
        required=False, max_length=30, label=_("Run ID"), widget=forms.TextInput(attrs={"placeholder": "#123", "inputmode": "numeric"})
    )

    def __init__(self, *args, flows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.flows = list(flows)

    def clean_q(self):
        value = self.cleaned_data["q"].strip().lstrip("#").strip()
        if value and not value.isdecimal():
            raise forms.ValidationError(_("A run ID is a number, like 123."), code="invalid")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", forms.ValidationError(_("The end date is before the start date."), code="invalid"))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def day_start(day):
            return timezone.make_aware(dt.datetime.combine(day, dt.time()), zone) if day else None

        return {
            "flow_id": data.get("flow"),
            "status": data.get("status") or None,
            "trigger": data.get("trigger") or None,
            "kind": data.get("kind") or None,
            "date_from": day_start(data.get("date_from")),
            "date_to": day_start(data["date_to"] + dt.timedelta(days=1)) if data.get("date_to") else None,
            "run_id": data.get("q") or None,
        }
