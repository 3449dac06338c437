"""The AI app's models, prices and limits (docs/ai.md). Model names and prices change more often than code, so they
live here and can be replaced from the environment (JSON)."""

from .env import env

# Model names offered per provider; the first is the default when a step leaves the model empty.
EZFLOW_AI_MODELS = env.json(
    "EZFLOW_AI_MODELS",
    default={"anthropic": ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-7"], "openai_compatible": []},
)
# Estimated cost: US dollars per million tokens, per model name. A model missing here has no estimate (cost null).
EZFLOW_AI_PRICES = env.json(
    "EZFLOW_AI_PRICES",
    default={
        "claude-sonnet-4-6": {"input": 3.0, "output": 15.0},
        "claude-sonnet-4-5": {"input": 3.0, "output": 15.0},
        "claude-haiku-4-5": {"input": 1.0, "output": 5.0},
        "claude-opus-4-7": {"input": 5.0, "output": 25.0},
    },
)
# Where the Anthropic API is (a proxy or gateway may stand in front of it).
EZFLOW_AI_ANTHROPIC_BASE_URL = env.str("EZFLOW_AI_ANTHROPIC_BASE_URL", default="https://api.anthropic.com")
# Attempts after a rate limit (429), an overload (529) or a server error, with back-off (or the server's retry-after).
EZFLOW_AI_MAX_RETRIES = env.int("EZFLOW_AI_MAX_RETRIES", default=3)
EZFLOW_AI_MAX_BACKOFF_SECONDS = env.float("EZFLOW_AI_MAX_BACKOFF_SECONDS", default=30.0)
# Images given to a model as a URL are downloaded (through the SSRF guard) up to this size.
EZFLOW_AI_MAX_IMAGE_BYTES = env.int("EZFLOW_AI_MAX_IMAGE_BYTES", default=5 * 1024 * 1024)

# Custom AI modules (apps/ai/modules): the largest ONNX file accepted, and the limits of the process that runs them.
# onnxruntime reserves address space beyond what it touches, so the memory limit is on address space (RLIMIT_AS).
EZFLOW_AI_MODULE_MAX_BYTES = env.int("EZFLOW_AI_MODULE_MAX_BYTES", default=50 * 1024 * 1024)
EZFLOW_AI_MODULE_MEMORY_MB = env.int("EZFLOW_AI_MODULE_MEMORY_MB", default=1024)
EZFLOW_AI_MODULE_CPU_SECONDS = env.int("EZFLOW_AI_MODULE_CPU_SECONDS", default=20)
EZFLOW_AI_MODULE_WALL_SECONDS = env.float("EZFLOW_AI_MODULE_WALL_SECONDS", default=30.0)
# Inference processes a worker process keeps running between steps (0: a new process for every step).
EZFLOW_AI_MODULE_WARM_PROCESSES = env.int("EZFLOW_AI_MODULE_WARM_PROCESSES", default=1)
