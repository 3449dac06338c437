"""Forms of the marketplace pages. They only shape input; the services decide (and explain) what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.marketplace.models import Category, CommentReport, Language, License, Visibility

SORT_CHOICES = (
    ("popular", _("Most installed")),
    ("top_rated", _("Top rated")),
    ("newest", _("Newest")),
    ("trending", _("Trending this week")),
    ("relevance", _("Best match")),
)
RATING_CHOICES = (("", _("Any rating")), ("4", _("4 stars and up")), ("3", _("3 stars and up")), ("2", _("2 stars and up")))
STAR_CHOICES = tuple((str(n), str(n)) for n in range(5, 0, -1))


class BrowseForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False, choices=(("", _("All categories")), *Category.choices))
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    node_type = forms.ChoiceField(label=_("Contains the step"), required=False, choices=())
    language = forms.ChoiceField(label=_("Language"), required=False, choices=(("", _("Any language")), *Language.choices))
    min_rating = forms.ChoiceField(label=_("Rating"), required=False, choices=RATING_CHOICES)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args, node_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node_type"].choices = (("", _("Any step")), *node_types)


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("Your rating"), choices=STAR_CHOICES, coerce=int)
    review = forms.CharField(label=_("Review (optional)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=CommentReport.Reason.choices)
    details = forms.CharField(label=_("Details (optional)"), required=False, max_length=500)


class UseForm(forms.Form):
    version = forms.ChoiceField(label=_("Version"))
    name = forms.CharField(label=_("Name of the new flow"), required=False, max_length=200)

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(str(v.pk), v.version) for v in versions]


class PublishForm(forms.Form):
    MODE_NEW, MODE_VERSION = "new", "version"
    mode = forms.ChoiceField(
        label=_("Publish as"),
        choices=((MODE_NEW, _("a new template")), (MODE_VERSION, _("a new version of one of our templates"))),
        widget=forms.RadioSelect,
        initial=MODE_NEW,
    )
    template = forms.ChoiceField(label=_("Template"), required=False, choices=())
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description (Markdown)"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )
    category = forms.ChoiceField(label=_("Category"), required=False, choices=Category.choices, initial=Category.OTHER)
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Separate them with commas, e.g. 슬랙, report"))
    language = forms.ChoiceField(label=_("Language"), required=False, choices=Language.choices, initial=Language.KO)
    license = forms.ChoiceField(label=_("License"), required=False, choices=License.choices, initial=License.CC_BY)
    visibility = forms.ChoiceField(label=_("Who can see it"), required=False, choices=Visibility.choices, initial=Visibility.PUBLIC)
    version = forms.CharField(label=_("Version"), max_length=32, initial="1.0.0", help_text=_("Three numbers, like 1.0.0 or 1.2.0"))
    changelog = forms.CharField(label=_("What changed"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("Choose a template")), *((str(t.pk), t.title) for t in templates)]

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.MODE_VERSION:
            if not data.get("template"):
                self.add_error("template", _("Choose which template gets the new version."))
        else:
            for name in ("title", "summary"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("This field is required."))
        return data

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in (self.cleaned_data.get("tags") or "").split(",") if tag.strip()]


class YankForm(forms.Form):
    reason = forms.CharField(label=_("Why (shown to people who installed it)"), required=False, max_length=300)
