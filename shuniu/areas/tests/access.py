"""The access matrix's cases for the areas app (`core/tests/access_cases.py`): reference data, not scoped, so both
records are seen by anyone holding the permission."""

from shuniu.areas.models import Area, AreaPopulation
from shuniu.core.tests.access_cases import DISTRICT_A, DISTRICT_B, register

register(Area, lambda w, u: w.area[DISTRICT_A], lambda w, u: w.area[DISTRICT_B], scoped=False)
register(
    AreaPopulation,
    lambda w, u: AreaPopulation.objects.filter(area__code=DISTRICT_A).first(),
    lambda w, u: AreaPopulation.objects.filter(area__code=DISTRICT_B).first(),
    scoped=False,
)
