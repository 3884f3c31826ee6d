"""Examples of the declared hub actions (`shuniu.hubs.actions`), run by `shuniu.core.tests.test_actions`: each builds a
record and the data (as a form posts it) that performs the action on it."""

from datetime import date

from .factories import HubFactory, LinkFactory


def link_end_example():
    link = LinkFactory(start_date=date(2012, 1, 1))
    return link, {"end_date": "2015-06-30", "reason": "组织迁出"}


def hub_revoke_example():
    hub = HubFactory(recognized_on=date(2009, 3, 1))
    return hub, {"recognized_until": "2016-12-31", "reason": "年度复核未通过"}
