from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from fanworks.core.pagination import paginate
from fanworks.works import queries as work_queries


def home(request: HttpRequest) -> HttpResponse:
    recent = paginate(work_queries.recent_works(request.user), 1, per_page=10)
    fandoms = work_queries.popular_fandoms(request.user, limit=12)
    return render(request, "core/home.html", {"recent": recent, "fandoms": fandoms})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 404,
            "title": "Error 404",
            "message": "The page you were looking for doesn't exist.",
        },
        status=404,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"status": 400, "title": "Bad request", "message": "We couldn't understand that request."},
        status=400,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": "Not allowed",
            "message": "You can't do that here. If you were filling in a form, "
            "reload the page and try again.",
        },
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 500,
            "title": "Something went wrong",
            "message": "Something went wrong on our side. Please try again.",
        },
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": "Please try again",
            "message": "Your form expired or came from another site, so we didn't save it. "
            "Go back, reload the page and submit it again.",
        },
        status=403,
    )


def login_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """To the login page, coming back to this page afterwards."""
    return HttpResponseRedirect("/users/login?" + urlencode({"return_to": request.get_full_path()}))
