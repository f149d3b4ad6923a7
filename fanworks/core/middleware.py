"""Request plumbing shared by every page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

Handler = Callable[[HttpRequest], HttpResponse]

# Works may embed images from anywhere (AO3 allows http and https sources), nothing else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' https: http: data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class CollapseLeadingSlashesMiddleware:
    """Serve `//downloads/…` like `/downloads/…`.

    ao3-api builds URLs as "https://archiveofourown.org/" + href, which doubles the slash.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            # No name or id on this site holds a NUL, and PostgreSQL refuses one in a query:
            # a path with %00 in it is a bad request, not a lookup that ends in a 500.
            return HttpResponseBadRequest("Bad request: the address holds a NUL character.")
        if request.path_info.startswith("//"):
            request.path_info = "/" + request.path_info.lstrip("/")
            request.path = request.path_info
        return self.get_response(request)


class AuthenticityTokenMiddleware:
    """Accept AO3's `authenticity_token` form field as the CSRF token.

    AO3 clients (FanFicFare, ao3-api) post the token under Rails' name, sometimes in the query
    string; Django's CSRF middleware reads the header we fill in here and still checks it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and "HTTP_X_CSRFTOKEN" not in request.META:
            content_type = request.content_type or ""
            token = ""
            is_form = content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}
            if is_form and "csrfmiddlewaretoken" not in request.POST:
                token = request.POST.get("authenticity_token", "")
            if not token and "csrfmiddlewaretoken" not in request.GET:
                token = request.GET.get("authenticity_token", "")
            if token:
                request.META["HTTP_X_CSRFTOKEN"] = token
                # AO3 clients send neither Origin nor Referer, which Django's CSRF check
                # demands over HTTPS. The token is still compared with the cookie; a browser
                # always sends Origin on a POST, so it never takes this path.
                if "HTTP_ORIGIN" not in request.META and "HTTP_REFERER" not in request.META:
                    request.META["HTTP_REFERER"] = f"https://{request.get_host()}/"
        return self.get_response(request)
