from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "apps.marketplace"
    label = "marketplace"

    def ready(self):
        from apps.core.graphql.registry import graphql_registry

        graphql_registry.contribute(self.label, "apps.marketplace.graphql.schema")

        from apps.marketplace import dashboard

        dashboard.register()
