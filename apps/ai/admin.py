"""The organization admin (<slug>.<domain>/admin/): the monthly AI budget, and the usage rows to look through."""

from django.contrib import admin

from apps.accounts.admin import organization_admin_site
from apps.ai.models import AiSettings, AiUsage, TextClassifier


class AiSettingsAdmin(admin.ModelAdmin):
    fields = ("monthly_budget_usd",)

    def has_add_permission(self, request):
        return not AiSettings.objects.exists()  # one row per organization

    def has_delete_permission(self, request, obj=None):
        return False


class AiUsageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "flow_id", "run_id", "node_id", "provider", "model", "calls", "input_tokens", "output_tokens", "cost_usd")
    list_filter = ("provider", "model")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


organization_admin_site.register(AiSettings, AiSettingsAdmin)
organization_admin_site.register(AiUsage, AiUsageAdmin)


class TextClassifierAdmin(admin.ModelAdmin):
    """Classifiers trained by the step “Train a classifier”: versions to look through, and delete when no longer used."""

    list_display = ("name", "version", "examples", "accuracy", "labels", "created_at", "flow_id", "run_id")
    search_fields = ("name",)
    exclude = ("weights",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


organization_admin_site.register(TextClassifier, TextClassifierAdmin)
