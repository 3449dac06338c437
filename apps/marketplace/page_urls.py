"""Marketplace pages under /marketplace/: reading on both hosts, actions only on organization hosts."""

from django.urls import path

from apps.marketplace import connector_pages, module_pages, pages

reading = [
    path("", pages.browse, name="browse"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/versions/<int:version_id>/", pages.version, name="version"),
]

public_urlpatterns = reading

urlpatterns = [
    *reading,
    path("<int:pk>/rate/", pages.rate, name="rate"),
    path("<int:pk>/rating/delete/", pages.rating_remove, name="rating-delete"),
    path("<int:pk>/comments/", pages.comment_add, name="comment-add"),
    path("comments/<int:comment_id>/edit/", pages.comment_change, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", pages.comment_remove, name="comment-delete"),
    path("comments/<int:comment_id>/report/", pages.comment_flag, name="comment-report"),
    path("<int:pk>/use/", pages.use, name="use"),
    path("installed/<int:flow_id>/", pages.installed, name="installed"),
    path("publish/", pages.publish_choose, name="publish-choose"),
    path("publish/<int:flow_id>/", pages.publish, name="publish"),
    path("mine/", pages.mine, name="mine"),
    path("forks/<int:flow_id>/", pages.fork, name="fork"),
    path("forks/<int:flow_id>/update/", pages.fork_apply, name="fork-update"),
    path("versions/<int:version_id>/yank/", pages.version_yank, name="version-yank"),
    path("modules/", module_pages.module_list, name="modules"),
    path("modules/<int:pk>/", module_pages.module_detail, name="module-detail"),
    path("modules/share/<int:module_id>/", module_pages.module_share, name="module-share"),
    path("connectors/", connector_pages.connector_list, name="connectors"),
    path("connectors/<int:pk>/", connector_pages.connector_detail, name="connector-detail"),
    path("connectors/share/<int:connector_id>/", connector_pages.connector_share_page, name="connector-share"),
]
