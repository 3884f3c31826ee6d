from shuniu.core.dated import DatedQuerySet
from shuniu.core.querysets import ScopedQuerySet


class AnnualInspectionQuerySet(ScopedQuerySet):
    def for_year(self, year: int):
        return self.filter(year=year)


class GradeEvaluationQuerySet(DatedQuerySet):
    def at_least(self, grade: str):
        """Grades `grade` and above (3A and above may apply for purchased services)."""
        return self.filter(grade__gte=grade)
