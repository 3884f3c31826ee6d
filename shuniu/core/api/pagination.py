"""Every API list is paged: `?page=N` (from 1) and `?page_size=N` rows a page (default PAGE_SIZE, 50).

A `page_size` the API cannot honour answers 400 under `page_size` rather than being replaced: DRF's own paginator
silently falls back to the default for an empty, malformed or repeated value and cuts a larger one to the maximum,
so a script asking for 2000 rows a page would count them wrong. The schema states the same bounds (1 to 1000).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

PAGE_SIZE_MESSAGES = {
    "repeated": _("参数 page_size 只能给一个值，收到 %(count)d 个（%(values)s）。"),
    "invalid": _(
        "参数 page_size 应为 1 到 %(max)d 之间的整数（每页条数），收到「%(value)s」；不传则每页 %(default)d 条。"
    ),
}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = _(
        "每页条数：%(min)d 到 %(max)d 之间的整数，只能给一个值；不传则每页 %(default)d 条。"
    )

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) > 1:
            shown = "、".join(f"「{value}」" for value in values)
            message = PAGE_SIZE_MESSAGES["repeated"] % {"count": len(values), "values": shown}
            raise ValidationError({self.page_size_query_param: [message]}, code="repeated")
        value = values[0]
        size = int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else 0
        if not 1 <= size <= self.max_page_size:
            shown = value if len(value) <= 20 else f"{value[:20]}…"
            params = {"max": self.max_page_size, "value": shown, "default": self.page_size}
            message = PAGE_SIZE_MESSAGES["invalid"] % params
            raise ValidationError({self.page_size_query_param: [message]}, code="invalid")
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                bounds = {"min": 1, "max": self.max_page_size, "default": self.page_size}
                parameter["description"] = str(self.page_size_query_description) % bounds
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters
