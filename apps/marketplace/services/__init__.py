"""Writes of the marketplace. Names are stable: pages, admin and GraphQL call these."""

from apps.marketplace.services.comments import comment_create, comment_delete, comment_edit, comment_moderate, comment_report
from apps.marketplace.services.forks import (
    ForkResult,
    ForkStatus,
    ForkUpdateResult,
    credentials_needed,
    fork_update,
    fork_update_check,
    template_fork,
    template_installable,
    template_trending_refresh,
)
from apps.marketplace.services.modules import module_install, module_share
from apps.marketplace.services.publishing import (
    PublishPreview,
    template_publish,
    template_publish_preview,
    template_search_refresh,
    template_set_hidden,
    template_update,
    template_version_publish,
    template_version_yank,
)
from apps.marketplace.services.ratings import rating_delete, rating_set

__all__ = [
    "ForkResult",
    "ForkStatus",
    "ForkUpdateResult",
    "PublishPreview",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_moderate",
    "comment_report",
    "credentials_needed",
    "fork_update",
    "fork_update_check",
    "module_install",
    "module_share",
    "rating_delete",
    "rating_set",
    "template_fork",
    "template_installable",
    "template_publish",
    "template_publish_preview",
    "template_search_refresh",
    "template_set_hidden",
    "template_trending_refresh",
    "template_update",
    "template_version_publish",
    "template_version_yank",
]
