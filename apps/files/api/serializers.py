from rest_framework import serializers

MAX_LINKS = 100


class FileLinksInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.UUIDField(), max_length=MAX_LINKS, allow_empty=True)


class FileLinkOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    mime_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="/files/<signed token> on this organization's host; members only.")
    expires_in = serializers.IntegerField(help_text="Seconds the link works.")
    preview_url = serializers.CharField(
        allow_null=True, help_text="A PNG of the file (an image itself, a PDF's first page) at `url`/preview; null when there is none."
    )


class FileLinksOutput(serializers.Serializer):
    files = FileLinkOutput(many=True)
