"""The demo and a single office's laptop: SQLite under var/ unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
