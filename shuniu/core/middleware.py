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


class LanguageMiddleware:
    """Chinese unless the user chose another language (the language cookie set by the user menu).

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: a Beijing office's software
    speaks Chinese by default, whatever language the workstation's browser was installed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
