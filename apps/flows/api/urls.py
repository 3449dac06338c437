from django.urls import path

from apps.flows.api import editor, views

app_name = "flows_api"

urlpatterns = [
    path("nodes", views.NodeCatalogApi.as_view(), name="node-catalog"),
    path("flows/schema", views.GraphSchemaApi.as_view(), name="graph-schema"),
    path("flows/validate", views.ValidateApi.as_view(), name="validate"),
    path("flows", views.FlowListApi.as_view(), name="flows"),
    path("flows/import", views.ImportApi.as_view(), name="flow-import"),
    path("flows/<int:pk>/export", views.ExportApi.as_view(), name="flow-export"),
    path("flows/<int:pk>/export/n8n", views.ExportN8nApi.as_view(), name="flow-export-n8n"),
    path("flows/<int:pk>", views.FlowDetailApi.as_view(), name="flow-detail"),
    path("flows/<int:pk>/validate", views.FlowValidateApi.as_view(), name="flow-validate"),
    path("flows/<int:pk>/publish", views.PublishApi.as_view(), name="flow-publish"),
    path("flows/<int:pk>/activate", views.ActivationApi.as_view(active=True), name="flow-activate"),
    path("flows/<int:pk>/deactivate", views.ActivationApi.as_view(active=False), name="flow-deactivate"),
    path("flows/<int:pk>/versions", views.VersionListApi.as_view(), name="flow-versions"),
    path("flows/<int:pk>/versions/diff", views.VersionDiffApi.as_view(), name="flow-version-diff"),
    path("flows/<int:pk>/versions/<int:number>", views.VersionDetailApi.as_view(), name="flow-version"),
    path("flows/<int:pk>/versions/<int:number>/restore", views.VersionRestoreApi.as_view(), name="flow-version-restore"),
    path("flows/<int:pk>/pin", views.PinApi.as_view(), name="flow-pin"),
    path("flows/<int:pk>/test-node", views.TestNodeApi.as_view(), name="flow-test-node"),
    path("flows/<int:pk>/expression", editor.ExpressionPreviewApi.as_view(), name="flow-expression-preview"),
    path("variables", views.VariableListApi.as_view(), name="variables"),
    path("variables/<int:pk>", views.VariableDetailApi.as_view(), name="variable-detail"),
    path("credentials/types", views.CredentialTypesApi.as_view(), name="credential-types"),
    path("credentials", views.CredentialListApi.as_view(), name="credentials"),
    path("credentials/<int:pk>", views.CredentialDetailApi.as_view(), name="credential-detail"),
    path("credentials/<int:pk>/test", views.CredentialTestApi.as_view(), name="credential-test"),
    path("credentials/<int:pk>/oauth2/authorize", views.CredentialOAuth2AuthorizeApi.as_view(), name="credential-oauth2-authorize"),
]
