"""Mutations: each declares who may run it (`permission`, checked in core's BaseMutation) and answers typed errors."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from apps.accounts.graphql.permissions import Member
from apps.accounts.roles import Role
from apps.core.graphql.errors import MutationRefused
from apps.core.graphql.mutations import BaseMutation
from apps.marketplace import services
from apps.marketplace.graphql.types import (
    CommentType,
    ConflictType,
    CredentialNeededType,
    RatingType,
    TemplateNode,
    TemplateVersionType,
    decode_id,
    request_organization,
)
from apps.marketplace.models import Comment, Rating, TemplateVersion
from apps.marketplace.selectors import template_detail, template_visible


def _template(info, value, field="templateId"):
    template = template_detail(template_id=decode_id(value, "Template"), organization=request_organization(info))
    if template is None:
        raise MutationRefused(_("This template does not exist or is not available to you."), code="not_found", field=field)
    return template


def _flow(value, field="flowId"):
    from apps.flows.models import Flow  # the host's organization schema is active

    flow = Flow.objects.filter(pk=decode_id(value, "Flow") or 0).first()
    if flow is None:
        raise MutationRefused(_("This flow does not exist in your organization."), code="not_found", field=field)
    return flow


def _version(info, value, field="versionId"):
    version = (
        TemplateVersion.objects.select_related("template")
        .filter(pk=decode_id(value, "TemplateVersion") or 0, template__in=template_visible(organization=request_organization(info)))
        .first()
    )
    if version is None:
        raise MutationRefused(_("This version does not exist."), code="not_found", field=field)
    return version


def _comment(info, value, field="commentId"):
    comment = (
        Comment.objects.select_related("author", "parent")
        .filter(pk=decode_id(value, "Comment") or 0, template__in=template_visible(organization=request_organization(info)))
        .first()
    )
    if comment is None:
        raise MutationRefused(_("This comment does not exist."), code="not_found", field=field)
    return comment


class TemplateDetailsInput(graphene.InputObjectType):
    title = graphene.String()
    summary = graphene.String()
    description = graphene.String()
    category = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String))
    icon = graphene.String()
    language = graphene.String()
    license = graphene.String()
    visibility = graphene.String()


def _details(details) -> dict:
    return {key: value for key, value in dict(details or {}).items() if value is not None}


class PublishTemplate(BaseMutation):
    permission = Member(Role.EDITOR)

    class Arguments:
        flow_id = graphene.ID(required=True)
        details = TemplateDetailsInput(required=True)
        version = graphene.String(default_value="1.0.0")
        changelog = graphene.String(default_value="")

    template = graphene.Field(TemplateNode)

    @classmethod
    def perform(cls, info, membership, flow_id, details, version, changelog):
        fields = _details(details)
        fields.setdefault("title", "")
        fields.setdefault("summary", "")
        template = services.template_publish(membership=membership, flow=_flow(flow_id), version=version, changelog=changelog, **fields)
        return cls(template=template, errors=[])


class UpdateTemplate(BaseMutation):
    permission = Member(Role.EDITOR)

    class Arguments:
        template_id = graphene.ID(required=True)
        details = TemplateDetailsInput(required=True)

    template = graphene.Field(TemplateNode)

    @classmethod
    def perform(cls, info, membership, template_id, details):
        template = services.template_update(membership=membership, template=_template(info, template_id), **_details(details))
        return cls(template=template, errors=[])


class PublishTemplateVersion(BaseMutation):
    permission = Member(Role.EDITOR)

    class Arguments:
        template_id = graphene.ID(required=True)
        flow_id = graphene.ID(required=True)
        version = graphene.String(required=True)
        changelog = graphene.String(default_value="")

    version = graphene.Field(TemplateVersionType)

    @classmethod
    def perform(cls, info, membership, template_id, flow_id, version, changelog):
        template = _template(info, template_id)
        new = services.template_version_publish(
            membership=membership, template=template, flow=_flow(flow_id), version=version, changelog=changelog
        )
        return cls(version=new, errors=[])


class YankTemplateVersion(BaseMutation):
    permission = Member(Role.EDITOR)

    class Arguments:
        version_id = graphene.ID(required=True)
        reason = graphene.String(default_value="")

    version = graphene.Field(TemplateVersionType)

    @classmethod
    def perform(cls, info, membership, version_id, reason):
        version = services.template_version_yank(membership=membership, version=_version(info, version_id), reason=reason)
        return cls(version=version, errors=[])


class RateTemplate(BaseMutation):
    permission = Member(Role.VIEWER)

    class Arguments:
        template_id = graphene.ID(required=True)
        stars = graphene.Int(required=True)
        review = graphene.String(description="Leave out to keep your earlier review.")

    rating = graphene.Field(RatingType)
    template = graphene.Field(TemplateNode)

    @classmethod
    def perform(cls, info, membership, template_id, stars, review=None):
        template = _template(info, template_id)
        rating = services.rating_set(template=template, user=membership.user, stars=stars, review=review)
        template.refresh_from_db()
        return cls(rating=rating, template=template, errors=[])


class ReviewTemplate(BaseMutation):
    """Writes or changes the review text; needs stars the first time."""

    permission = Member(Role.VIEWER)

    class Arguments:
        template_id = graphene.ID(required=True)
        review = graphene.String(required=True)
        stars = graphene.Int()

    rating = graphene.Field(RatingType)

    @classmethod
    def perform(cls, info, membership, template_id, review, stars=None):
        template = _template(info, template_id)
        if stars is None:
            existing = Rating.objects.filter(template=template, user=membership.user).first()
            if existing is None:
                raise MutationRefused(_("Choose from 1 to 5 stars."), code="invalid", field="stars")
            stars = existing.stars
        rating = services.rating_set(template=template, user=membership.user, stars=stars, review=review)
        return cls(rating=rating, errors=[])


class CreateComment(BaseMutation):
    permission = Member(Role.VIEWER)

    class Arguments:
        template_id = graphene.ID(required=True)
        body = graphene.String(required=True)
        parent_id = graphene.ID()

    comment = graphene.Field(CommentType)

    @classmethod
    def perform(cls, info, membership, template_id, body, parent_id=None):
        template = _template(info, template_id)
        parent = _comment(info, parent_id, field="parentId") if parent_id else None
        comment = services.comment_create(template=template, user=membership.user, body=body, parent=parent)
        return cls(comment=comment, errors=[])


class EditComment(BaseMutation):
    permission = Member(Role.VIEWER)

    class Arguments:
        comment_id = graphene.ID(required=True)
        body = graphene.String(required=True)

    comment = graphene.Field(CommentType)

    @classmethod
    def perform(cls, info, membership, comment_id, body):
        comment = services.comment_edit(comment=_comment(info, comment_id), user=membership.user, body=body)
        return cls(comment=comment, errors=[])


class DeleteComment(BaseMutation):
    permission = Member(Role.VIEWER)

    class Arguments:
        comment_id = graphene.ID(required=True)

    comment = graphene.Field(CommentType)

    @classmethod
    def perform(cls, info, membership, comment_id):
        comment = services.comment_delete(comment=_comment(info, comment_id), user=membership.user)
        return cls(comment=comment, errors=[])


class ReportComment(BaseMutation):
    permission = Member(Role.VIEWER)

    class Arguments:
        comment_id = graphene.ID(required=True)
        reason = graphene.String(default_value="other", description="spam, abuse, secret or other")
        details = graphene.String(default_value="")

    reported = graphene.Boolean(required=True)

    @classmethod
    def perform(cls, info, membership, comment_id, reason, details):
        services.comment_report(comment=_comment(info, comment_id), user=membership.user, reason=reason, details=details)
        return cls(reported=True, errors=[])

    @classmethod
    def mutate(cls, root, info, **arguments):
        result = super().mutate(root, info, **arguments)
        if result.errors:
            result.reported = False
        return result


class ForkTemplate(BaseMutation):
    """ "Use this template": installs a version (the newest by default) as a new flow of this organization."""

    permission = Member(Role.EDITOR)

    class Arguments:
        template_id = graphene.ID(required=True)
        version_id = graphene.ID()
        name = graphene.String()

    flow_id = graphene.Int()
    flow_name = graphene.String()
    credentials_needed = graphene.List(graphene.NonNull(CredentialNeededType), required=True)

    @classmethod
    def perform(cls, info, membership, template_id, version_id=None, name=None):
        template = _template(info, template_id)
        version = _version(info, version_id) if version_id else None
        result = services.template_fork(membership=membership, template=template, version=version, name=name)
        return cls(
            flow_id=result.flow.pk,
            flow_name=result.flow.name,
            credentials_needed=[CredentialNeededType(**c) for c in result.credentials_needed],
            errors=[],
        )

    @classmethod
    def mutate(cls, root, info, **arguments):
        result = super().mutate(root, info, **arguments)
        if result.credentials_needed is None:
            result.credentials_needed = []
        return result


class UpdateFork(BaseMutation):
    permission = Member(Role.EDITOR)

    class Arguments:
        flow_id = graphene.ID(required=True)
        version_id = graphene.ID()

    flow_id = graphene.Int()
    version = graphene.Field(TemplateVersionType)
    conflicts = graphene.List(graphene.NonNull(ConflictType), required=True)

    @classmethod
    def perform(cls, info, membership, flow_id, version_id=None):
        version = _version(info, version_id) if version_id else None
        result = services.fork_update(membership=membership, flow=_flow(flow_id), version=version)
        return cls(flow_id=result.flow.pk, version=result.version, conflicts=[ConflictType(**c) for c in result.conflicts], errors=[])

    @classmethod
    def mutate(cls, root, info, **arguments):
        result = super().mutate(root, info, **arguments)
        if result.conflicts is None:
            result.conflicts = []
        return result


class Mutation(graphene.ObjectType):
    publish_template = PublishTemplate.Field()
    update_template = UpdateTemplate.Field()
    publish_template_version = PublishTemplateVersion.Field()
    yank_template_version = YankTemplateVersion.Field()
    rate_template = RateTemplate.Field()
    review_template = ReviewTemplate.Field()
    create_comment = CreateComment.Field()
    edit_comment = EditComment.Field()
    delete_comment = DeleteComment.Field()
    report_comment = ReportComment.Field()
    fork_template = ForkTemplate.Field()
    update_fork = UpdateFork.Field()
