from django.urls import path

from apps.ai.api import views

app_name = "ai_api"

urlpatterns = [
    path("ai/modules", views.ModuleListApi.as_view(), name="modules"),
    path("ai/modules/choices", views.ModuleChoicesApi.as_view(), name="module-choices"),
    path("ai/modules/<int:pk>", views.ModuleDetailApi.as_view(), name="module"),
    path("ai/modules/<int:pk>/versions", views.ModuleVersionListApi.as_view(), name="module-versions"),
    path("ai/modules/<int:pk>/predict", views.ModulePredictApi.as_view(), name="module-predict"),
    path("ai/modules/<int:pk>/comparison", views.ModuleComparisonApi.as_view(), name="module-comparison"),
]
