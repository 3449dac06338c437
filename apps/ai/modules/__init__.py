"""Custom AI modules: models an organization uploads (ONNX) or connects (model servers). docs/ai.md."""
