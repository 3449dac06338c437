"""GraphQL types of the marketplace. Only explicitly listed fields are exposed (never emails, search text or secrets)."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _
from graphene import relay
from graphene_django import DjangoObjectType
from graphql_relay import from_global_id

from apps.accounts.roles import Role, role_at_least
from apps.marketplace.graphql.dataloaders import loaders
from apps.marketplace.markdown import render_markdown
from apps.marketplace.models import Category, Comment, License, Rating, Template, TemplateVersion, Visibility
from apps.marketplace.selectors import template_visible


def request_organization(info):
    tenant = getattr(info.context, "tenant", None)
    return None if tenant is None or tenant.is_public else tenant


def request_membership(info):
    return getattr(info.context, "membership", None)


def decode_id(value, type_name: str) -> int | None:
    """Accepts a Relay global id of `type_name` or a plain database id."""
    text = str(value or "").strip()
    if text.isdecimal():
        return int(text)
    try:
        kind, raw = from_global_id(text)
    except Exception:  # noqa: BLE001 - any malformed id is simply "not found"
        return None
    return int(raw) if kind == type_name and str(raw).isdecimal() else None


class PersonType(graphene.ObjectType):
    """A person as others see them: a display name only."""

    display_name = graphene.String(required=True)

    @staticmethod
    def resolve_display_name(user, info):
        return user.name or _("EZFlow member")


class OrganizationType(graphene.ObjectType):
    name = graphene.String(required=True)
    slug = graphene.String(required=True)


class ChoiceType(graphene.ObjectType):
    value = graphene.String(required=True)
    label = graphene.String(required=True)


class StarCount(graphene.ObjectType):
    stars = graphene.Int(required=True)
    count = graphene.Int(required=True)


class RatingSummaryType(graphene.ObjectType):
    average = graphene.Float(required=True)
    count = graphene.Int(required=True)
    distribution = graphene.List(graphene.NonNull(StarCount), required=True)


class TemplateVersionType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    is_yanked = graphene.Boolean(required=True)
    graph = graphene.JSONString(required=True, description="The flow as published: no credentials, secrets or test data.")
    changelog_html = graphene.String(required=True)
    credential_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    node_types = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = TemplateVersion
        name = "TemplateVersion"
        interfaces = (relay.Node,)
        fields = ("id", "version", "changelog", "created_at", "yanked_at", "yanked_reason")

    @staticmethod
    def resolve_database_id(version, info):
        return version.pk

    @staticmethod
    def resolve_is_yanked(version, info):
        return version.is_yanked

    @staticmethod
    def resolve_changelog_html(version, info):
        return render_markdown(version.changelog)

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(template__in=template_visible(organization=request_organization(info)))


class RatingType(DjangoObjectType):
    author = graphene.Field(PersonType, required=True)

    class Meta:
        model = Rating
        name = "Rating"
        fields = ("id", "stars", "review", "created_at", "updated_at")

    @staticmethod
    def resolve_author(rating, info):
        return rating.user


class CommentType(DjangoObjectType):
    database_id = graphene.Int(required=True)
    body = graphene.String(required=True, description="Empty when the comment was deleted or removed by moderators.")
    author = graphene.Field(PersonType)
    is_deleted = graphene.Boolean(required=True)
    is_moderated = graphene.Boolean(required=True)
    is_mine = graphene.Boolean(required=True)
    replies = graphene.List(graphene.NonNull(lambda: CommentType), required=True)

    class Meta:
        model = Comment
        name = "Comment"
        fields = ("id", "created_at", "edited_at")

    @staticmethod
    def resolve_database_id(comment, info):
        return comment.pk

    @staticmethod
    def resolve_body(comment, info):
        return "" if comment.is_removed else comment.body

    @staticmethod
    def resolve_author(comment, info):
        return None if comment.is_removed else comment.author

    @staticmethod
    def resolve_is_deleted(comment, info):
        return comment.deleted_at is not None

    @staticmethod
    def resolve_is_moderated(comment, info):
        return comment.moderated_at is not None

    @staticmethod
    def resolve_is_mine(comment, info):
        user = getattr(info.context, "user", None)
        return bool(user and user.is_authenticated and comment.author_id == user.pk)

    @staticmethod
    def resolve_replies(comment, info):
        return getattr(comment, "thread_replies", [])


class TemplateNode(DjangoObjectType):
    database_id = graphene.Int(required=True)
    description_html = graphene.String(required=True, description="The Markdown description as safe HTML.")
    category_label = graphene.String(required=True)
    license_label = graphene.String(required=True)
    visibility_label = graphene.String(required=True)
    tags = graphene.List(graphene.NonNull(graphene.String), required=True)
    node_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    credential_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    author = graphene.Field(PersonType)
    organization = graphene.Field(OrganizationType, required=True)
    forked_from = graphene.Field(lambda: TemplateNode)
    forked_from_version = graphene.Field(TemplateVersionType)
    forks = graphene.List(graphene.NonNull(lambda: TemplateNode), required=True, description="Public templates forked from this one.")
    latest_version = graphene.Field(TemplateVersionType)
    versions = graphene.List(graphene.NonNull(TemplateVersionType), required=True, include_yanked=graphene.Boolean(default_value=True))
    rating_summary = graphene.Field(RatingSummaryType, required=True)
    reviews = graphene.List(graphene.NonNull(RatingType), required=True)
    comments = graphene.List(graphene.NonNull(CommentType), required=True)
    my_rating = graphene.Field(RatingType, description="The signed-in person's rating, if any.")
    can_manage = graphene.Boolean(required=True, description="Whether the signed-in member may publish versions of it.")

    class Meta:
        model = Template
        name = "Template"
        interfaces = (relay.Node,)
        fields = (
            "id",
            "title",
            "summary",
            "description",
            "category",
            "icon",
            "language",
            "license",
            "visibility",
            "install_count",
            "fork_count",
            "rating_count",
            "rating_average",
            "comment_count",
            "created_at",
            "updated_at",
        )
        convert_choices_to_enum = False

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.filter(pk__in=template_visible(organization=request_organization(info)).values("pk")).select_related(
            "author", "author_organization", "latest_version", "forked_from", "forked_from_version"
        )

    @staticmethod
    def resolve_database_id(template, info):
        return template.pk

    @staticmethod
    def resolve_description_html(template, info):
        return render_markdown(template.description)

    @staticmethod
    def resolve_category_label(template, info):
        return str(Category(template.category).label) if template.category in Category.values else template.category

    @staticmethod
    def resolve_license_label(template, info):
        return str(License(template.license).label) if template.license in License.values else template.license

    @staticmethod
    def resolve_visibility_label(template, info):
        return str(Visibility(template.visibility).label)

    @staticmethod
    def resolve_credential_types(template, info):
        return template.latest_version.credential_types if template.latest_version_id else []

    @staticmethod
    def resolve_author(template, info):
        return template.author

    @staticmethod
    def resolve_organization(template, info):
        return template.author_organization

    @staticmethod
    def resolve_forked_from(template, info):
        origin = template.forked_from
        if origin is None or origin.is_hidden:
            return None
        if origin.visibility == Visibility.ORGANIZATION and origin.author_organization_id != getattr(
            request_organization(info), "pk", None
        ):
            return None
        return origin

    @staticmethod
    def resolve_forked_from_version(template, info):
        # The origin's version (with its graph) is shown only when the origin itself may be shown.
        return template.forked_from_version if TemplateNode.resolve_forked_from(template, info) is not None else None

    @staticmethod
    def resolve_forks(template, info):
        return loaders(info).forks(template.pk)

    @staticmethod
    def resolve_versions(template, info, include_yanked=True):
        versions = loaders(info).versions(template.pk)
        return versions if include_yanked else [v for v in versions if not v.is_yanked]

    @staticmethod
    def resolve_rating_summary(template, info):
        distribution = loaders(info).rating_distribution(template.pk)
        count = sum(distribution.values())
        average = round(sum(stars * n for stars, n in distribution.items()) / count, 2) if count else 0.0
        return RatingSummaryType(
            average=average, count=count, distribution=[StarCount(stars=s, count=distribution[s]) for s in range(5, 0, -1)]
        )

    @staticmethod
    def resolve_reviews(template, info):
        return loaders(info).reviews(template.pk)

    @staticmethod
    def resolve_comments(template, info):
        return loaders(info).comments(template.pk)

    @staticmethod
    def resolve_my_rating(template, info):
        return loaders(info).my_rating(template.pk)

    @staticmethod
    def resolve_can_manage(template, info):
        membership = request_membership(info)
        return bool(
            membership and membership.organization_id == template.author_organization_id and role_at_least(membership.role, Role.EDITOR)
        )


class TemplateConnection(relay.Connection):
    total_count = graphene.Int(required=True)
    similar = graphene.Boolean(required=True, description="Nothing matched exactly: these are close matches (typos).")

    class Meta:
        node = TemplateNode

    @staticmethod
    def resolve_total_count(connection, info):
        return connection.queryset.count()


class CredentialNeededType(graphene.ObjectType):
    node_id = graphene.String(required=True)
    node_name = graphene.String(required=True)
    credential_type = graphene.String(required=True)
    optional = graphene.Boolean(description="The step ships switched off: its connection can be added later.")


class ConflictType(graphene.ObjectType):
    node_id = graphene.String()
    node_name = graphene.String()
    path = graphene.String(required=True)
    local = graphene.JSONString()
    upstream = graphene.JSONString()


class RemovedItemType(graphene.ObjectType):
    node_id = graphene.String()
    node_name = graphene.String()
    path = graphene.String(required=True)
    kind = graphene.String(required=True, description="credential, secret, header or pinned")


class PublishPreviewType(graphene.ObjectType):
    graph = graphene.JSONString(required=True)
    removed = graphene.List(graphene.NonNull(RemovedItemType), required=True)
    credential_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    node_types = graphene.List(graphene.NonNull(graphene.String), required=True)
    problems = graphene.JSONString(required=True)


class ForkStatusType(graphene.ObjectType):
    flow_id = graphene.Int(required=True)
    flow_name = graphene.String(required=True)
    template = graphene.Field(TemplateNode)
    installed_version = graphene.Field(TemplateVersionType)
    latest_version = graphene.Field(TemplateVersionType)
    update_available = graphene.Boolean(required=True)
    local_changes = graphene.JSONString(description="What this organization changed since installing (only for one flow).")
    upstream_changes = graphene.JSONString(description="What the newer version changes (only for one flow).")
    conflicts = graphene.List(graphene.NonNull(ConflictType), required=True)

    @staticmethod
    def resolve_flow_id(status, info):
        return status.flow.pk

    @staticmethod
    def resolve_flow_name(status, info):
        return status.flow.name

    @staticmethod
    def resolve_conflicts(status, info):
        return [ConflictType(**c) for c in status.conflicts]
