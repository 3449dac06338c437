"""Forms of the flow pages (the list's search, new flow, import)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.jsonbody import JSONInputError, json_loads

IMPORT_MAX_BYTES = 2 * 1024 * 1024


class FlowSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)


class NewFlowForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new flow"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Send new orders to Slack")}),
    )


class ImportForm(forms.Form):
    """A file (EZFlow export or n8n workflow) or the same JSON pasted; n8n copies a workflow as JSON to the clipboard."""

    file = forms.FileField(
        label=_("JSON file"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"})
    )
    text = forms.CharField(
        label=_("Or paste the JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("In n8n, select the nodes and copy them (Ctrl+C), then paste here."),
    )

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("file"), (cleaned.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError(_("Choose a JSON file or paste the JSON."), code="empty")
        if upload is not None:
            if upload.size > IMPORT_MAX_BYTES:
                raise forms.ValidationError(
                    _("The file is too large (%(size)s). Files up to %(limit)s can be imported."),
                    code="too_large",
                    params={"size": _megabytes(upload.size), "limit": _megabytes(IMPORT_MAX_BYTES)},
                )
            raw = upload.read()
        else:
            raw = text.encode()
            if len(raw) > IMPORT_MAX_BYTES:
                raise forms.ValidationError(
                    _("The pasted text is too large. Up to %(limit)s can be imported."),
                    code="too_large",
                    params={"limit": _megabytes(IMPORT_MAX_BYTES)},
                )
        try:
            cleaned["data"] = json_loads(raw.decode("utf-8-sig"))
        except JSONInputError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(
                _("This is not a JSON file. Export the flow from EZFlow or n8n as JSON and try again."), code="not_json"
            ) from None
        return cleaned


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
