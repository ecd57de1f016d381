"""Error shapes of both services and helpers that build replies in them."""

import json

from fastapi import Request
from fastapi.responses import JSONResponse, Response


class ApiError(Exception):
    """A response other than success, rendered as `body` (JSON, text or empty)."""

    def __init__(
        self,
        status: int,
        body: dict | list | str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(f"{status}: {body!r}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})


def spotify_error(status: int, message: str, reason: str | None = None) -> ApiError:
    """Build a Web API error in Spotify's {"error": {"status", "message"}} shape."""
    error: dict = {"status": status, "message": message}
    if reason is not None:
        error["reason"] = reason
    return ApiError(status, {"error": error})


def oauth_error(status: int, error: str, description: str) -> ApiError:
    """Build an accounts-service error: {"error", "error_description"}."""
    return ApiError(status, {"error": error, "error_description": description})


def strava_fault(status: int, message: str, resource: str, field: str, code: str):
    """Build a Strava Fault: a message plus one {resource, field, code} error."""
    errors = [{"resource": resource, "field": field, "code": code}]
    return ApiError(status, {"message": message, "errors": errors})


def render(
    body: dict | list | str | bytes | None,
    status: int,
    headers: dict[str, str] | None = None,
) -> Response:
    """Turn a body into a response: JSON for dicts and lists, bytes as given."""
    if isinstance(body, (dict, list)):
        return JSONResponse(body, status, headers)
    if body is None:
        return Response(b"", status, headers)
    content = body.encode() if isinstance(body, str) else body
    return Response(content, status, headers, media_type="text/plain")


def reply(request: Request, body, status: int = 200) -> Response:
    """Respond with `body` plus any headers the route's checks collected (rate limits)."""
    return render(body, status, extra_headers(request))


def extra_headers(request: Request) -> dict[str, str]:
    """Return the headers stored for this request by rate-limit checks."""
    return dict(getattr(request.state, "extra_headers", {}))


def add_headers(request: Request, headers: dict[str, str]) -> None:
    """Store headers that every response to this request must carry."""
    current = dict(getattr(request.state, "extra_headers", {}))
    current.update(headers)
    request.state.extra_headers = current


async def handle_api_error(request: Request, error: ApiError) -> Response:
    """Render an ApiError with the request's collected headers."""
    headers = extra_headers(request)
    headers.update(error.headers)
    return render(error.body, error.status, headers)


async def read_body(request: Request) -> dict:
    """Read a JSON object or form body into a dict; an empty body is {}."""
    raw = await request.body()
    if not raw:
        return {}
    content_type = request.headers.get("content-type", "")
    if "json" in content_type or raw.lstrip().startswith((b"{", b"[")):
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise spotify_error(400, f"Error parsing JSON: {error}") from error
        return data if isinstance(data, dict) else {"_": data}
    form = await request.form()
    return {key: value for key, value in form.items()}
