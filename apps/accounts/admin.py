"""Two admin sites: the platform admin on the public host (staff manage organizations) and each
organization's own admin at <slug>.localhost/admin/ (its owners and admins manage their members)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.errors import AccountsError
from apps.accounts.middleware import current_organization
from apps.accounts.models import Domain, Invitation, Membership, Organization, User
from apps.accounts.roles import can_manage_members
from apps.accounts.services.invitations import invitation_check, invitation_create, invitation_revoke
from apps.accounts.services.memberships import membership_update
from apps.accounts.services.organizations import organization_reactivate, organization_suspend

# ---- platform admin (public host) ---------------------------------------------------------------

admin.site.site_header = gettext_lazy("EZFlow platform administration")
admin.site.site_title = gettext_lazy("EZFlow platform")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "member_count", "time_zone", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "created_at"]
    fields = [
        "name",
        "slug",
        "schema_name",
        "status",
        "suspended_reason",
        "time_zone",
        "file_max_bytes",
        "files_max_total_bytes",
        "created_at",
    ]
    inlines = [DomainInline, MembershipInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .exclude(schema_name="public")
            .annotate(_member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        )

    @admin.display(description=gettext_lazy("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "slug"] if obj else self.readonly_fields

    def has_add_permission(self, request):
        return False  # organizations are created by sign-up, which also creates their schema and owner

    def has_delete_permission(self, request, obj=None):
        return False  # suspension keeps data; deletion is a deliberate operation outside the admin

    @admin.action(description=gettext_lazy("Suspend selected organizations"))
    def suspend(self, request, queryset):
        for organization in queryset:
            organization_suspend(organization=organization, reason=_("Suspended by platform staff"))
        count = queryset.count()
        self.message_user(
            request, ngettext("Suspended %(count)d organization.", "Suspended %(count)d organizations.", count) % {"count": count}
        )

    @admin.action(description=gettext_lazy("Reactivate selected organizations"))
    def reactivate(self, request, queryset):
        for organization in queryset:
            organization_reactivate(organization=organization)
        count = queryset.count()
        self.message_user(
            request, ngettext("Reactivated %(count)d organization.", "Reactivated %(count)d organizations.", count) % {"count": count}
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    list_filter = ["is_staff", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (gettext_lazy("Profile"), {"fields": ["name", "language"]}),
        (gettext_lazy("Platform rights"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (gettext_lazy("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = []

    def has_delete_permission(self, request, obj=None):
        # Organization schemas reference people (admin history, later flows and runs): deactivate instead.
        return False


# ---- organization admin (<slug>.localhost/admin/) ----------------------------------------------


class OrganizationAdminSite(admin.AdminSite):
    site_url = "/"
    index_title = gettext_lazy("Manage your organization")

    def each_context(self, request):
        context = super().each_context(request)
        organization = current_organization(request)
        name = organization.name if organization else "EZFlow"
        context["site_header"] = _("%(organization)s administration") % {"organization": name}
        context["site_title"] = name
        return context

    def has_permission(self, request):
        membership = getattr(request, "membership", None)
        return membership is not None and can_manage_members(membership.role)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            return render(request, "accounts/admin_forbidden.html", status=403)
        return redirect(f"/login/?next={request.GET.get('next', '/admin/')}")


organization_admin_site = OrganizationAdminSite(name="org_admin")


class OrganizationScopedAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return organization_admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return organization_admin_site.has_permission(request)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization=current_organization(request))


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_active"]


class OrganizationMembershipAdmin(OrganizationScopedAdmin):
    form = MembershipAdminForm
    list_display = ["person_email", "person_name", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__name"]
    readonly_fields = ["person_email", "person_name", "created_at"]
    fields = ["person_email", "person_name", "role", "is_active", "created_at"]

    @admin.display(description=gettext_lazy("email"), ordering="user__email")
    def person_email(self, obj):
        return obj.user.email

    @admin.display(description=gettext_lazy("name"), ordering="user__name")
    def person_name(self, obj):
        return obj.user.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def save_model(self, request, obj, form, change):
        original = Membership.objects.get(pk=obj.pk)
        try:
            membership_update(actor=request.membership, membership=original, role=obj.role, is_active=obj.is_active)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        except AccountsError as exc:
            self.message_user(request, exc.message, messages.ERROR)


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            invitation_check(actor=self.actor, email=cleaned.get("email", ""), role=cleaned.get("role", ""))
        except AccountsError as exc:
            raise ValidationError(exc.message) from None
        return cleaned


class OrganizationInvitationAdmin(OrganizationScopedAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return organization_admin_site.has_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = InvitationAdminForm
        actor = request.membership

        class BoundForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundForm

    def save_model(self, request, obj, form, change):
        created = invitation_create(actor=request.membership, email=obj.email, role=obj.role)
        for field in Invitation._meta.concrete_fields:  # the admin goes on to log and link this object
            setattr(obj, field.attname, getattr(created, field.attname))

    @admin.action(description=gettext_lazy("Cancel selected invitations"))
    def revoke(self, request, queryset):
        for invitation in queryset:
            try:
                invitation_revoke(actor=request.membership, invitation=invitation)
            except AccountsError as exc:
                self.message_user(request, exc.message, messages.ERROR)


organization_admin_site.register(Membership, OrganizationMembershipAdmin)
organization_admin_site.register(Invitation, OrganizationInvitationAdmin)
