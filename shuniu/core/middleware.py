import time


class ServerTimingMiddleware:
    """Adds `Server-Timing: app;dur=<ms>` so the browser and the benchmark can read server time per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return response
