"""The assistant (docs/assistant.md): which engine answers, its model and limits."""

from .env import env

# Requests answered per organization per minute, whatever the engine (rows of assistant.DraftRequest).
EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE = env.int("EZFLOW_ASSISTANT_DRAFTS_PER_MINUTE", default=30)
# "auto": Claude when a key is configured (the organization's Anthropic credential, else the platform key below),
# otherwise the offline planner; "offline": never Claude.
EZFLOW_ASSISTANT_ENGINE = env.str("EZFLOW_ASSISTANT_ENGINE", default="auto")
# The platform's Anthropic key for organizations that have none of their own (empty: none).
EZFLOW_ASSISTANT_ANTHROPIC_API_KEY = env.str("EZFLOW_ASSISTANT_ANTHROPIC_API_KEY", default="")
EZFLOW_ASSISTANT_CLAUDE_MODEL = env.str("EZFLOW_ASSISTANT_CLAUDE_MODEL", default="claude-sonnet-4-6")
# Model calls in one request (tool turns and repairs together).
EZFLOW_ASSISTANT_CLAUDE_MAX_TURNS = env.int("EZFLOW_ASSISTANT_CLAUDE_MAX_TURNS", default=12)
# Claude requests per organization per hour; beyond it the offline planner answers, with a notice.
EZFLOW_ASSISTANT_CLAUDE_PER_HOUR = env.int("EZFLOW_ASSISTANT_CLAUDE_PER_HOUR", default=60)
# Retries after 429/529/5xx within one request, each waiting the server's retry-after up to this many seconds.
EZFLOW_ASSISTANT_CLAUDE_RETRIES = env.int("EZFLOW_ASSISTANT_CLAUDE_RETRIES", default=2)
EZFLOW_ASSISTANT_CLAUDE_MAX_WAIT_SECONDS = env.float("EZFLOW_ASSISTANT_CLAUDE_MAX_WAIT_SECONDS", default=5.0)
# Turns kept per conversation (older ones are deleted).
EZFLOW_ASSISTANT_TURNS_KEPT = env.int("EZFLOW_ASSISTANT_TURNS_KEPT", default=50)
