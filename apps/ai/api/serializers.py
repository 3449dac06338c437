from rest_framework import serializers


class AiModuleOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    license = serializers.CharField()
    active_version = serializers.IntegerField(allow_null=True)
    candidate_version = serializers.IntegerField(allow_null=True)
    candidate_share = serializers.IntegerField()
    source = serializers.CharField()
    updated_at = serializers.DateTimeField()


class AiModuleVersionOutput(serializers.Serializer):
    number = serializers.IntegerField()
    spec = serializers.JSONField()
    signature = serializers.JSONField()
    endpoint = serializers.JSONField()
    example = serializers.JSONField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class AiModuleChoiceVersion(serializers.Serializer):
    number = serializers.IntegerField()
    input = serializers.CharField(help_text="tabular, image or tensor")
    inputs = serializers.ListField(child=serializers.CharField(), help_text="The item fields this version reads.")
    labels = serializers.ListField(child=serializers.CharField(), help_text="Its labels (at most 20).")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class AiModuleChoiceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    active_version = serializers.IntegerField(allow_null=True)
    versions = AiModuleChoiceVersion(many=True)


class AiModuleDetailOutput(AiModuleOutput):
    versions = AiModuleVersionOutput(many=True, source="version_rows")


class AiModuleEndpointInput(serializers.Serializer):
    protocol = serializers.ChoiceField(choices=["kserve_v2", "tfserving"])
    url = serializers.URLField(max_length=2000, help_text="The server's base address, e.g. http://models.internal:8080")
    model = serializers.CharField(max_length=200, help_text="The model's name on the server.")
    version = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    datatype = serializers.ChoiceField(
        choices=["FP32", "FP64", "FP16", "INT64", "INT32", "INT16", "INT8", "UINT8", "BOOL", "BYTES"], default="FP32"
    )


class _VersionFields(serializers.Serializer):
    description = serializers.JSONField(required=False, help_text="How items feed the model and what comes out (docs/ai.md).")
    example = serializers.JSONField(required=False, help_text="One example item for the test form.")


class AiModuleCreateInput(_VersionFields):
    """Every field a creation may carry (multipart uploads send the file as `file`)."""

    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=["onnx", "http"], default="onnx")
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    license = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, help_text="The .onnx file (multipart).")
    model_base64 = serializers.CharField(required=False, help_text="The .onnx file as base64 (JSON requests).")
    endpoint = AiModuleEndpointInput(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    activate = serializers.BooleanField(required=False, default=False, help_text="New versions: make it the active version at once.")


class OnnxModuleCreateInput(_VersionFields):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=["onnx"])
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False, allow_blank=True)
    model_base64 = serializers.CharField(help_text="The .onnx file as base64.")


class HttpModuleCreateInput(_VersionFields):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=["http"])
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False, allow_blank=True)
    endpoint = AiModuleEndpointInput()


class OnnxVersionInput(_VersionFields):
    model_base64 = serializers.CharField(help_text="The .onnx file as base64.")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    activate = serializers.BooleanField(required=False)


class HttpVersionInput(_VersionFields):
    endpoint = AiModuleEndpointInput()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    activate = serializers.BooleanField(required=False)


class AiModuleUpdateInput(serializers.Serializer):
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    license = serializers.CharField(max_length=100, required=False, allow_blank=True)
    active_version = serializers.IntegerField(required=False, min_value=1)
    candidate_version = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    candidate_share = serializers.IntegerField(required=False, min_value=0, max_value=100)


class AiModulePredictInput(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=100)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class AiModuleComparisonOutput(serializers.Serializer):
    items = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    errors = serializers.IntegerField()
    active_ms = serializers.FloatField(allow_null=True)
    candidate_ms = serializers.FloatField(allow_null=True)
    pairs = serializers.ListField(child=serializers.DictField())
    recent = serializers.SerializerMethodField()

    def get_recent(self, data) -> list:
        return [
            {
                "created_at": row.created_at.isoformat(),
                "active_version": row.active_version,
                "candidate_version": row.candidate_version,
                "active": row.active_result,
                "candidate": row.candidate_result,
                "active_ms": row.active_ms,
                "candidate_ms": row.candidate_ms,
                "agree": row.agree,
                "error": row.error,
            }
            for row in data["recent"]
        ]
