from shuniu.core.querysets import ScopedQuerySet

from .choices import AreaLevel


class AreaQuerySet(ScopedQuerySet):
    def subtree(self, area):
        """The area and everything below it: one indexed prefix condition on the materialized path."""
        return self.filter(path__startswith=area.path)

    def search(self, text: str):
        text = text.strip()
        return self.filter(name__contains=text) | self.filter(code__startswith=text)

    def districts(self):
        return self.filter(level=AreaLevel.DISTRICT)

    def streets(self):
        return self.filter(level=AreaLevel.STREET)
