import uuid

from .context import request_context

REQUEST_ID_HEADER = "X-Request-ID"


class AuditMiddleware:
    """Gives each request an id (`request.id`, echoed in the `X-Request-ID` header) and opens the audit context in
    which the request's changes are recorded as its user's. Placed after the authentication middleware; the user is
    read only when a change is recorded (the API authenticates later, in the view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        with request_context(request):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = str(request.id)
        return response
