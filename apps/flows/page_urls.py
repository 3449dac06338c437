"""Flow pages on an organization's host (the editor and alerts pages add their own routes under /flows/<id>/;
the list, the overview and Run now come from apps.runs.flow_pages, joined in ezflow_site/urls_tenant.py)."""

from django.urls import path

from apps.flows import pages

urlpatterns = [
    path("new/", pages.flow_new, name="new"),
    path("import/", pages.flow_import_page, name="import"),
    path("<int:pk>/activate/", pages.flow_activation, {"active": True}, name="activate"),
    path("<int:pk>/deactivate/", pages.flow_activation, {"active": False}, name="deactivate"),
    path("<int:pk>/export/", pages.flow_export_download, name="export"),
    path("<int:pk>/export/n8n/", pages.flow_export_n8n_download, name="export_n8n"),
    path("<int:pk>/state/reset/", pages.flow_state_reset_page, name="state_reset"),
]

pwa_urlpatterns = [
    path("manifest.webmanifest", pages.manifest, name="pwa-manifest"),
    path("sw.js", pages.service_worker, name="pwa-service-worker"),
    path("offline/", pages.offline_page, name="pwa-offline"),
]
