"""The kinds of import, each one definition of its columns, checks and writes."""

from ..choices import ImportKind
from .hubs import HubDefinition
from .links import LinkDefinition
from .organizations import OrganizationDefinition

DEFINITIONS = {
    ImportKind.ORGANIZATIONS: OrganizationDefinition,
    ImportKind.HUBS: HubDefinition,
    ImportKind.LINKS: LinkDefinition,
}
