"""Chinese official reports group digits by thousands (28,370), as Django's zh_Hans formats do not."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

NUMBER_GROUPING = 3
THOUSAND_SEPARATOR = ","
