"""Hubs' records tell the platform when they change what indicators count (`core.indicators.records_changed`).

Each save of a link, a recognition or an organization sends the earliest day it affects (`core.dated`'s
`affects_from`: a change of its dates or of a declared scope field), and nothing when it changed neither (a note
edited); the `indicators` app listens and marks the stored figures of the indicators that depend on the model.
Organizations are watched here because coverage is hubs' indicator.
"""

from shuniu.core.indicators import watch_saves
from shuniu.organizations.models import Organization

from .models import Hub, Link

watch_saves(Link, Hub, Organization)
