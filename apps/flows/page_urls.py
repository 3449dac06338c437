"""Flow pages on an organization's host (the editor and alerts pages add their own routes under /flows/<id>/)."""

from django.urls import path

from apps.flows import pages

app_name = "flow_pages"

urlpatterns = [
    path("", pages.flow_list_page, name="list"),
    path("new/", pages.flow_new, name="new"),
    path("import/", pages.flow_import_page, name="import"),
    path("<int:pk>/", pages.flow_overview, name="overview"),
    path("<int:pk>/run/", pages.flow_run_now, name="run"),
    path("<int:pk>/activate/", pages.flow_activation, {"active": True}, name="activate"),
    path("<int:pk>/deactivate/", pages.flow_activation, {"active": False}, name="deactivate"),
    path("<int:pk>/export/", pages.flow_export_download, name="export"),
]

pwa_urlpatterns = [
    path("manifest.webmanifest", pages.manifest, name="pwa-manifest"),
    path("sw.js", pages.service_worker, name="pwa-service-worker"),
    path("offline/", pages.offline_page, name="pwa-offline"),
]
