"""Settings are split per concern; every value that differs between machines comes from the environment."""

from .components.ai import *  # noqa: F403
from .components.assistant import *  # noqa: F403
from .components.auth import *  # noqa: F403
from .components.base import *  # noqa: F403
from .components.browser import *  # noqa: F403
from .components.database import *  # noqa: F403
from .components.documents import *  # noqa: F403
from .components.email import *  # noqa: F403
from .components.files import *  # noqa: F403
from .components.graphql import *  # noqa: F403
from .components.i18n import *  # noqa: F403
from .components.keys import *  # noqa: F403
from .components.logging import *  # noqa: F403
from .components.network import *  # noqa: F403
from .components.ocr import *  # noqa: F403
from .components.queue import *  # noqa: F403
from .components.rest import *  # noqa: F403
from .components.tenants import *  # noqa: F403
