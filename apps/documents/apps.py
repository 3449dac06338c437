from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Steps that read and write office documents: Excel and CSV, PDF, Word, HWP/HWPX and images (docs/documents.md).
    The document logic is pure functions on bytes (one module per format); the steps in nodes/builtin take the
    bytes from a file field of the item and put the files they make back into items."""

    name = "apps.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self):
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.nodes.builtin")
        from apps.documents.isolated import pdf_preview
        from apps.files.previews import register_previewer

        register_previewer("application/pdf", pdf_preview)
