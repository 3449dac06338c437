"""Marketplace queries and mutations, contributed to the root schema (apps/core/graphql) by MarketplaceConfig.ready().
Browsing is open to everyone; organization-specific fields need a member of the host."""

from __future__ import annotations

import graphene
from django.conf import settings
from graphene import relay
from graphql_relay import cursor_to_offset, offset_to_cursor

from apps.accounts.roles import Role, role_at_least
from apps.core.graphql.node import NodeField
from apps.marketplace.graphql.dataloaders import loaders
from apps.marketplace.graphql.mutations import Mutation  # noqa: F401  (contributed with Query)
from apps.marketplace.graphql.types import (
    ChoiceType,
    ForkStatusType,
    PublishPreviewType,
    RemovedItemType,
    TemplateConnection,
    TemplateNode,
    TemplateVersionType,
    decode_id,
    request_membership,
    request_organization,
)
from apps.marketplace.models import Category, Language, License, Visibility
from apps.marketplace.selectors import fork_list, organization_template_list, template_search, template_visible
from apps.marketplace.services import fork_update_check, template_publish_preview


def _selected_names(info) -> set[str]:
    """Every field name asked for below this field (fragments included), to load only the relations a query uses."""
    names: set[str] = set()
    fragments = info.fragments

    def walk(selection_set, seen=frozenset()):
        for selection in selection_set.selections if selection_set else ():
            kind = selection.kind
            if kind == "field":
                names.add(selection.name.value)
                walk(selection.selection_set, seen)
            elif kind == "inline_fragment":
                walk(selection.selection_set, seen)
            elif kind == "fragment_spread" and selection.name.value not in seen and selection.name.value in fragments:
                walk(fragments[selection.name.value].selection_set, seen | {selection.name.value})

    for field_node in info.field_nodes:
        walk(field_node.selection_set)
    return names


def list_queryset(info, queryset):
    """Authors, organizations and latest versions come with the page in one query; the fork origin only when asked
    for; big columns (search text, the versions' graphs) only when asked for."""
    names = _selected_names(info)
    relations = ["author", "author_organization", "latest_version"]
    if "forkedFrom" in names:
        relations.append("forked_from")
    if "forkedFromVersion" in names:
        relations.append("forked_from_version")
    deferred = ["search_text", "search_vector"]
    if "graph" not in names:
        deferred.append("latest_version__graph")
    if "description" not in names and "descriptionHtml" not in names:
        deferred.append("description")
    return queryset.select_related(*relations).defer(*deferred)


MAX_OFFSET = 1_000_000


class TemplateSort(graphene.Enum):
    POPULAR = "popular"
    TOP_RATED = "top_rated"
    NEWEST = "newest"
    TRENDING = "trending"
    RELEVANCE = "relevance"


def _page(info, queryset, *, first=None, after=None) -> TemplateConnection:
    """Forward pagination with opaque offset cursors; fetches one extra row instead of counting for hasNextPage."""
    size = max(1, min(first or settings.EZFLOW_GRAPHQL_DEFAULT_PAGE, settings.EZFLOW_GRAPHQL_MAX_PAGE))
    start = 0
    if after:
        offset = cursor_to_offset(after)
        start = offset + 1 if offset is not None and offset >= 0 else 0
        start = min(start, MAX_OFFSET)  # a forged cursor must not reach the database as an out-of-range number
    rows = list(queryset[start : start + size + 1])
    has_next, rows = len(rows) > size, rows[:size]
    loaders(info).prime(rows)
    edges = [TemplateConnection.Edge(node=row, cursor=offset_to_cursor(start + i)) for i, row in enumerate(rows)]
    connection = TemplateConnection(
        edges=edges,
        page_info=relay.PageInfo(
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=start > 0,
            has_next_page=has_next,
        ),
    )
    connection.queryset = queryset
    connection.similar = False
    return connection


def _member(info, minimum=Role.VIEWER):
    membership = request_membership(info)
    if membership is None or request_organization(info) is None or not role_at_least(membership.role, minimum):
        return None
    return membership


class Query(graphene.ObjectType):
    node = NodeField()
    templates = relay.ConnectionField(
        TemplateConnection,
        query=graphene.String(description="Words to find (Korean or English); substrings match: 자동화 finds 업무자동화."),
        category=graphene.String(),
        tags=graphene.List(graphene.NonNull(graphene.String)),
        node_types=graphene.List(graphene.NonNull(graphene.String)),
        language=graphene.String(),
        min_rating=graphene.Float(),
        sort=TemplateSort(default_value=TemplateSort.POPULAR.value),
    )
    template = graphene.Field(TemplateNode, id=graphene.ID(required=True))
    template_version = graphene.Field(TemplateVersionType, id=graphene.ID(required=True))
    categories = graphene.List(graphene.NonNull(ChoiceType), required=True)
    licenses = graphene.List(graphene.NonNull(ChoiceType), required=True)
    languages = graphene.List(graphene.NonNull(ChoiceType), required=True)
    visibilities = graphene.List(graphene.NonNull(ChoiceType), required=True)
    my_organization_templates = graphene.List(graphene.NonNull(TemplateNode), required=True)
    my_forks = graphene.List(graphene.NonNull(ForkStatusType), required=True)
    fork_status = graphene.Field(ForkStatusType, flow_id=graphene.ID(required=True))
    publish_preview = graphene.Field(PublishPreviewType, flow_id=graphene.ID(required=True))

    @staticmethod
    def resolve_templates(root, info, sort=TemplateSort.POPULAR.value, first=None, after=None, **filters):
        arguments = {
            "organization": request_organization(info),
            "query": filters.get("query") or "",
            "category": filters.get("category") or "",
            "tags": filters.get("tags") or (),
            "node_types": filters.get("node_types") or (),
            "language": filters.get("language") or "",
            "min_rating": filters.get("min_rating"),
            "sort": getattr(sort, "value", sort),
        }
        connection = _page(info, list_queryset(info, template_search(**arguments)), first=first, after=after)
        if not connection.edges and not after and len(arguments["query"].strip()) >= 4:
            connection = _page(info, list_queryset(info, template_search(**arguments, similar=True)), first=first)
            connection.similar = True
        return connection

    @staticmethod
    def resolve_template(root, info, id):  # noqa: A002
        visible = template_visible(organization=request_organization(info)).filter(pk=decode_id(id, "Template") or 0)
        template = list_queryset(info, visible).first()
        if template is not None:
            loaders(info).prime([template])
        return template

    @staticmethod
    def resolve_template_version(root, info, id):  # noqa: A002
        version = TemplateVersionType.get_queryset(TemplateVersionType._meta.model.objects.select_related("template"), info).filter(
            pk=decode_id(id, "TemplateVersion") or 0
        )
        return version.first()

    @staticmethod
    def resolve_categories(root, info):
        return [ChoiceType(value=value, label=str(label)) for value, label in Category.choices]

    @staticmethod
    def resolve_licenses(root, info):
        return [ChoiceType(value=value, label=str(label)) for value, label in License.choices]

    @staticmethod
    def resolve_languages(root, info):
        return [ChoiceType(value=value, label=str(label)) for value, label in Language.choices]

    @staticmethod
    def resolve_visibilities(root, info):
        return [ChoiceType(value=value, label=str(label)) for value, label in Visibility.choices]

    @staticmethod
    def resolve_my_organization_templates(root, info):
        membership = _member(info)
        if membership is None:
            return []
        templates = list(list_queryset(info, organization_template_list(organization=membership.organization)))
        loaders(info).prime(templates)
        return templates

    @staticmethod
    def resolve_my_forks(root, info):
        membership = _member(info)
        return fork_list(organization=membership.organization) if membership else []

    @staticmethod
    def resolve_fork_status(root, info, flow_id):
        membership = _member(info)
        if membership is None:
            return None
        from apps.flows.models import Flow

        flow = Flow.objects.filter(pk=decode_id(flow_id, "Flow") or 0, origin_template_id__isnull=False).first()
        return fork_update_check(organization=membership.organization, flow=flow) if flow else None

    @staticmethod
    def resolve_publish_preview(root, info, flow_id):
        if _member(info, Role.EDITOR) is None:
            return None
        from apps.flows.models import Flow

        flow = Flow.objects.filter(pk=decode_id(flow_id, "Flow") or 0).first()
        if flow is None:
            return None
        preview = template_publish_preview(flow=flow)
        return PublishPreviewType(
            graph=preview.graph,
            removed=[RemovedItemType(**item) for item in preview.removed],
            credential_types=preview.credential_types,
            node_types=preview.node_types,
            problems=preview.problems,
        )
