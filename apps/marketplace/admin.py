"""Marketplace moderation in the platform admin (public host): reported comments, templates and their versions."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy, ngettext

from apps.marketplace.models import Comment, Template, TemplateVersion
from apps.marketplace.moderation import template_version_yank_as_moderator
from apps.marketplace.services import comment_moderate, template_set_hidden


class ReportedFilter(admin.SimpleListFilter):
    """The moderation queue is the default view: comments with reports nobody has handled yet."""

    title = gettext_lazy("reports")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", gettext_lazy("Waiting for a moderator")), ("all", gettext_lazy("All comments"))]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset if self.value() == "all" else queryset.filter(open_reports__gt=0)


@admin.register(Comment)
class CommentModerationAdmin(admin.ModelAdmin):
    list_display = ["short_body", "template", "author", "open_reports", "report_reasons", "created_at", "state"]
    list_filter = [ReportedFilter]
    search_fields = ["body", "author__email", "template__title"]
    list_select_related = ["author", "template"]
    actions = ["remove_comments", "dismiss_reports"]
    readonly_fields = ["template", "parent", "author", "body", "created_at", "edited_at", "deleted_at", "moderated_at", "moderated_by"]
    fields = readonly_fields + ["moderation_reason"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
            .prefetch_related("reports")
            .order_by("-open_reports", "created_at")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # removal is soft (the thread keeps its shape): use the action

    @admin.display(description=gettext_lazy("comment"))
    def short_body(self, obj):
        return (obj.body or "—")[:80]

    @admin.display(description=gettext_lazy("open reports"), ordering="open_reports")
    def open_reports(self, obj):
        return obj.open_reports

    @admin.display(description=gettext_lazy("reasons"))
    def report_reasons(self, obj):
        reasons = {str(r.get_reason_display()) for r in obj.reports.all() if r.resolved_at is None}
        return ", ".join(sorted(reasons)) or "—"

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        if obj.moderated_at:
            return gettext_lazy("removed by a moderator")
        if obj.deleted_at:
            return gettext_lazy("deleted by its author")
        return gettext_lazy("visible")

    @admin.action(description=gettext_lazy("Remove the selected comments (soft, reports resolved)"))
    def remove_comments(self, request, queryset):
        for comment in queryset:
            comment_moderate(comment=comment, moderator=request.user, hide=True, reason=str(gettext_lazy("Removed by a moderator")))
        count = queryset.count()
        self.message_user(request, ngettext("Removed %(count)d comment.", "Removed %(count)d comments.", count) % {"count": count})

    @admin.action(description=gettext_lazy("Dismiss the reports (keep the comments)"))
    def dismiss_reports(self, request, queryset):
        count = 0
        for comment in queryset:
            if comment.moderated_at is None:
                comment_moderate(comment=comment, moderator=request.user, hide=False)
                count += 1
        self.message_user(request, ngettext("Kept %(count)d comment.", "Kept %(count)d comments.", count) % {"count": count})


class VersionInline(admin.TabularInline):
    model = TemplateVersion
    extra = 0
    fields = ["version", "created_at", "changelog", "yanked_at", "yanked_reason"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Template)
class TemplateModerationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "author_organization",
        "visibility",
        "is_hidden",
        "rating_average",
        "install_count",
        "comment_count",
        "created_at",
    ]
    list_filter = ["is_hidden", "visibility", "category", "language"]
    search_fields = ["title", "summary", "author_organization__name"]
    list_select_related = ["author_organization"]
    inlines = [VersionInline]
    actions = ["hide", "unhide"]
    fields = [
        "title",
        "summary",
        "description",
        "category",
        "tags",
        "language",
        "license",
        "visibility",
        "author_organization",
        "author",
        "is_hidden",
    ]
    readonly_fields = [f for f in fields if f != "is_hidden"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # forks keep pointing at templates: hide instead

    def save_model(self, request, obj, form, change):
        template_set_hidden(moderator=request.user, template=obj, hidden=obj.is_hidden)

    @admin.action(description=gettext_lazy("Hide the selected templates from every listing"))
    def hide(self, request, queryset):
        for template in queryset:
            template_set_hidden(moderator=request.user, template=template, hidden=True)
        self.message_user(
            request, ngettext("Hid %(count)d template.", "Hid %(count)d templates.", queryset.count()) % {"count": queryset.count()}
        )

    @admin.action(description=gettext_lazy("Show the selected templates again"))
    def unhide(self, request, queryset):
        for template in queryset:
            template_set_hidden(moderator=request.user, template=template, hidden=False)
        self.message_user(
            request, ngettext("Showed %(count)d template.", "Showed %(count)d templates.", queryset.count()) % {"count": queryset.count()}
        )


@admin.register(TemplateVersion)
class TemplateVersionModerationAdmin(admin.ModelAdmin):
    list_display = ["template", "version", "created_at", "withdrawn"]
    list_filter = [("yanked_at", admin.EmptyFieldListFilter)]
    search_fields = ["template__title", "version"]
    list_select_related = ["template"]
    actions = ["yank"]
    fields = ["template", "version", "changelog", "credential_types", "node_types", "created_at", "yanked_at", "yanked_reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # never hard-deleted: installed flows refer to versions

    @admin.display(description=gettext_lazy("withdrawn"), boolean=True)
    def withdrawn(self, obj):
        return obj.yanked_at is not None

    @admin.action(description=gettext_lazy("Withdraw the selected versions (no new installs)"))
    def yank(self, request, queryset):
        for version in queryset:
            template_version_yank_as_moderator(
                moderator=request.user, version=version, reason=str(gettext_lazy("Withdrawn by a moderator"))
            )
        count = queryset.count()
        self.message_user(request, ngettext("Withdrew %(count)d version.", "Withdrew %(count)d versions.", count) % {"count": count})
