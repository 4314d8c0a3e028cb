"""Reply generation: a local or remote chat model writes the reply, checked sentence by sentence against the facts."""

from dialog.generate.backends import (
    BackendError,
    ChatBackend,
    LlamaCppBackend,
    OpenAICompatibleBackend,
    local_backend,
)
from dialog.generate.writer import Reply, ReplyMeta, ReplyWriter, WriterSettings

__all__ = ["BackendError", "ChatBackend", "LlamaCppBackend", "OpenAICompatibleBackend", "Reply", "ReplyMeta",
           "ReplyWriter", "WriterSettings", "local_backend"]
