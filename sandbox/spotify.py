"""The Spotify Web API subset Soundtrack calls, under /spotify/v1."""

import base64
import binascii
import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox import spotify_objects as objects
from sandbox.clock import epoch_ms
from sandbox.oauth import find_access_token, world_of
from sandbox.responses import ApiError, read_body, reply, spotify_error
from sandbox.state import Playlist, PlaylistItem

router = APIRouter()

MAX_DESCRIPTION = 300
MAX_URIS_PER_ADD = 100
MAX_IMAGE_BYTES = 256 * 1024
TRACK_URI = re.compile(r"^spotify:track:[0-9A-Za-z]{22}$")
REMOVED_MESSAGE = (
    "This endpoint is not available to apps in development mode; "
    "use /me/playlists or /playlists/{id}/items"
)


def _authorize(request: Request, *, any_of: tuple[str, ...] = ()):
    """Check token, rate limits and scopes, in Spotify's order; return (world, token)."""
    world = world_of(request)
    token = find_access_token(world, "spotify", request)
    if token is None:
        # Spotify's 2026 wording; before 2026 it read "The access token expired".
        raise spotify_error(401, "Missing/invalid/expired access token")
    request.state.user_key = token.user_key
    _check_rate(world, token.client_id)
    if any_of and not token.scopes.intersection(any_of):
        raise spotify_error(403, "Insufficient client scope")
    return world, token


def _check_rate(world, client_id: str) -> None:
    verdict = world.spotify_limiter.check(client_id)
    if not verdict.limited:
        return
    if world.spotify_limiter.limits.empty_body:
        # Real 429s sometimes come with an empty body and no Retry-After at all.
        raise ApiError(429, None)
    headers = {"Retry-After": str(verdict.retry_after_s)}
    error = spotify_error(429, "API rate limit exceeded", verdict.reason)
    error.headers.update(headers)
    raise error


def _api_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/spotify/v1"


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise spotify_error(400, f"Invalid {name}") from error
    if not low <= value <= high:
        raise spotify_error(400, f"Invalid {name}")
    return value


@router.get("/me")
async def get_me(request: Request):
    """Return the current user's profile."""
    world, token = _authorize(request)
    user = world.state.user(token.user_key)
    return reply(request, objects.private_user(user, _api_base(request)))


@router.get("/me/player/recently-played")
async def recently_played(request: Request):
    """Return up to `limit` of the last 50 plays, newest first, with ms cursors."""
    world, token = _authorize(request, any_of=("user-read-recently-played",))
    limit = _int_param(request, "limit", 20, 1, 50)
    after = request.query_params.get("after")
    before = request.query_params.get("before")
    if after is not None and before is not None:
        raise spotify_error(400, "Only one of after and before may be given")
    plays = world.state.recent_plays(token.user_key)
    page = _select_page(plays, _ms_param(after), _ms_param(before), limit)
    return reply(request, _history_body(request, page, limit))


def _ms_param(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise spotify_error(
            400, "Invalid cursor: expected epoch milliseconds"
        ) from error


def _select_page(plays, after_ms, before_ms, limit):
    """Pick the page from newest-first plays; `after` takes the plays just after it."""
    if before_ms is not None:
        return [p for p in plays if epoch_ms(p.played_at) < before_ms][:limit]
    if after_ms is not None:
        # NOTE: assumed to page forwards from the cursor (the oldest plays after it);
        # Spotify's documentation does not say which plays it picks.
        newer = [p for p in plays if epoch_ms(p.played_at) > after_ms]
        return newer[-limit:]
    return plays[:limit]


def _history_body(request: Request, page, limit: int) -> dict:
    base = _api_base(request) + "/me/player/recently-played"
    if not page:
        # After the last page Spotify sends null cursors and next, not empty ones.
        return {
            "items": [],
            "next": None,
            "cursors": None,
            "limit": limit,
            "href": str(request.url),
        }
    newest, oldest = epoch_ms(page[0].played_at), epoch_ms(page[-1].played_at)
    next_url = None
    if len(page) == limit:
        next_url = f"{base}?before={oldest}"
        if "limit" in request.query_params:
            next_url += f"&limit={limit}"
    return {
        "items": [objects.play_history(play) for play in page],
        "next": next_url,
        "cursors": {"after": str(newest), "before": str(oldest)},
        "limit": limit,
        "href": str(request.url),
    }


# ---------------------------------------------------------------- playlists


def _playlist_for(world, playlist_id: str, user_key: str) -> Playlist:
    """Return a playlist the user may see; raises 404 for unknown or others' private."""
    playlist = world.state.playlists.get(playlist_id)
    if playlist is None:
        raise spotify_error(404, "Resource not found")
    if playlist.owner_key != user_key and not playlist.public:
        raise spotify_error(404, "Resource not found")
    return playlist


def _modify_scope(playlist_public: bool) -> tuple[str, ...]:
    return (
        ("playlist-modify-public",) if playlist_public else ("playlist-modify-private",)
    )


def _require_owner(playlist: Playlist, user_key: str) -> None:
    if playlist.owner_key != user_key and not playlist.collaborative:
        raise spotify_error(403, "You cannot modify a playlist you don't own.")


def _check_description(description) -> None:
    if description is None:
        return
    if not isinstance(description, str):
        raise spotify_error(400, "Invalid description: expected a string")
    if len(description) > MAX_DESCRIPTION:
        raise spotify_error(
            400, "Description is too long; the maximum is 300 characters"
        )
    if "\n" in description or "\r" in description:
        raise spotify_error(400, "Description must not contain line breaks")


def _full_playlist(request: Request, world, playlist: Playlist) -> dict:
    base = _api_base(request)
    owner = world.state.user(playlist.owner_key)
    body = objects.playlist_base(playlist, owner, base)
    body["followers"] = {"href": None, "total": 0}
    href = f"{base}/playlists/{playlist.id}/items"
    body["items"] = _items_page(world, playlist, owner, base, href, 0, 100)
    return body


def _items_page(world, playlist, owner, base, href, offset, limit) -> dict:
    catalogue = world.state.catalogue()
    chosen = playlist.items[offset : offset + limit]
    items = [
        objects.playlist_item(item.uri, item.added_at, owner, base, catalogue)
        for item in chosen
    ]
    return _paging(href, items, offset, limit, len(playlist.items))


def _paging(href: str, items: list, offset: int, limit: int, total: int) -> dict:
    """Build a PagingObject; next and previous are None at the ends."""
    next_url = None
    if offset + limit < total:
        next_url = f"{href}?offset={offset + limit}&limit={limit}"
    previous = None
    if offset > 0:
        previous = f"{href}?offset={max(0, offset - limit)}&limit={limit}"
    return {
        "href": f"{href}?offset={offset}&limit={limit}",
        "items": items,
        "limit": limit,
        "next": next_url,
        "offset": offset,
        "previous": previous,
        "total": total,
    }


@router.post("/me/playlists")
async def create_playlist(request: Request):
    """Create a playlist for the current user; responds 201 with the playlist."""
    body = await read_body(request)
    public = body.get("public", True)
    world, token = _authorize(request, any_of=_modify_scope(bool(public)))
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise spotify_error(400, "Missing required field: name")
    _check_description(body.get("description"))
    state = world.state
    with state.lock:
        playlist = Playlist(
            id=state.new_spotify_id(),
            owner_key=token.user_key,
            name=name,
            description=body.get("description"),
            public=bool(public),
            collaborative=bool(body.get("collaborative", False)),
            snapshot_id=state.new_snapshot_id(),
        )
        state.playlists[playlist.id] = playlist
    return reply(request, _full_playlist(request, world, playlist), 201)


@router.get("/me/playlists")
async def list_my_playlists(request: Request):
    """Return the current user's playlists, oldest first, paged by offset."""
    world, token = _authorize(request, any_of=("playlist-read-private",))
    limit = _int_param(request, "limit", 20, 1, 50)
    offset = _int_param(request, "offset", 0, 0, 100_000)
    base = _api_base(request)
    owner = world.state.user(token.user_key)
    mine = [p for p in world.state.playlists.values() if p.owner_key == token.user_key]
    items = [objects.simplified_playlist(p, owner, base) for p in mine]
    page = _paging(
        f"{base}/me/playlists",
        items[offset : offset + limit],
        offset,
        limit,
        len(items),
    )
    return reply(request, page)


@router.get("/playlists/{playlist_id}")
async def get_playlist(playlist_id: str, request: Request):
    """Return one playlist with the first 100 of its items."""
    world, token = _authorize(request)
    playlist = _playlist_for(world, playlist_id, token.user_key)
    return reply(request, _full_playlist(request, world, playlist))


@router.put("/playlists/{playlist_id}")
async def change_playlist(playlist_id: str, request: Request):
    """Change name, description, public or collaborative; responds 200, empty body."""
    world, token = _authorize(
        request, any_of=("playlist-modify-public", "playlist-modify-private")
    )
    playlist = _playlist_for(world, playlist_id, token.user_key)
    _require_owner(playlist, token.user_key)
    body = await read_body(request)
    _check_description(body.get("description"))
    with world.state.lock:
        for field in ("name", "description"):
            if field in body:
                setattr(playlist, field, body[field])
        for field in ("public", "collaborative"):
            if field in body:
                setattr(playlist, field, bool(body[field]))
        playlist.snapshot_id = world.state.new_snapshot_id()
    return reply(request, None, 200)


@router.get("/playlists/{playlist_id}/items")
async def get_playlist_items(playlist_id: str, request: Request):
    """Return a page of a playlist's items; only its owner or collaborators may."""
    world, token = _authorize(request, any_of=("playlist-read-private",))
    playlist = _playlist_for(world, playlist_id, token.user_key)
    _require_owner(playlist, token.user_key)
    limit = _int_param(request, "limit", 20, 1, 50)
    offset = _int_param(request, "offset", 0, 0, 100_000)
    base = _api_base(request)
    owner = world.state.user(playlist.owner_key)
    href = f"{base}/playlists/{playlist.id}/items"
    return reply(
        request, _items_page(world, playlist, owner, base, href, offset, limit)
    )


@router.post("/playlists/{playlist_id}/items")
async def add_playlist_items(playlist_id: str, request: Request):
    """Add up to 100 track URIs at `position` (default the end); responds 201."""
    world, token = _authorize(request)
    playlist = _playlist_for(world, playlist_id, token.user_key)
    _authorize_modify(token, playlist)
    body = await read_body(request)
    uris = _requested_uris(request, body)
    _check_uris(world, uris)
    position = _position(request, body, len(playlist.items))
    now = world.clock.now()
    with world.state.lock:
        new_items = [PlaylistItem(uri, now) for uri in uris]
        playlist.items[position:position] = new_items
        playlist.snapshot_id = world.state.new_snapshot_id()
    return reply(request, {"snapshot_id": playlist.snapshot_id}, 201)


def _authorize_modify(token, playlist: Playlist) -> None:
    if not token.scopes.intersection(_modify_scope(playlist.public)):
        raise spotify_error(403, "Insufficient client scope")
    _require_owner(playlist, token.user_key)


def _requested_uris(request: Request, body: dict) -> list[str]:
    # URIs in the query string win over the body, as the spec says.
    query = request.query_params.get("uris")
    if query is not None:
        return [uri.strip() for uri in query.split(",") if uri.strip()]
    uris = body.get("uris")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise spotify_error(400, "Missing or invalid field: uris")
    return uris


def _check_uris(world, uris: list[str]) -> None:
    if not uris:
        raise spotify_error(400, "No uris provided")
    if len(uris) > MAX_URIS_PER_ADD:
        raise spotify_error(400, "You can add a maximum of 100 tracks per request.")
    catalogue = world.state.catalogue()
    for uri in uris:
        # The Web API cannot add local files; only the desktop app can.
        if uri.startswith("spotify:local:") or not TRACK_URI.match(uri):
            raise spotify_error(400, f"Invalid track uri: {uri}")
        if uri not in catalogue:
            raise spotify_error(400, "Payload contains a non-existing ID")


def _position(request: Request, body: dict, length: int) -> int:
    raw = request.query_params.get("position", body.get("position"))
    if raw is None:
        return length
    try:
        position = int(raw)
    except (TypeError, ValueError) as error:
        raise spotify_error(400, "Invalid position") from error
    if not 0 <= position <= length:
        raise spotify_error(400, "Index out of bounds")
    return position


@router.put("/playlists/{playlist_id}/images")
async def upload_playlist_image(playlist_id: str, request: Request):
    """Store a base64 JPEG (256 KB at most) as the cover; responds 202, empty body."""
    world, token = _authorize(request, any_of=("ugc-image-upload",))
    playlist = _playlist_for(world, playlist_id, token.user_key)
    _authorize_modify(token, playlist)
    raw = await request.body()
    if len(raw) > MAX_IMAGE_BYTES:
        raise spotify_error(413, "Payload too large: the maximum is 256 KB")
    try:
        jpeg = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as error:
        raise spotify_error(400, "Invalid image: expected base64 data") from error
    if not jpeg.startswith(b"\xff\xd8"):
        raise spotify_error(400, "Invalid image: expected a JPEG")
    with world.state.lock:
        playlist.image_jpeg = jpeg
    return reply(request, None, 202)


# ---------------------------------------------------------------- removed paths


# NOTE: the 403 wording is an estimate; only the status and shape are known.
@router.post("/users/{user_id}/playlists")
async def removed_create_playlist(user_id: str, request: Request):
    """Reject the removed create path with 403, as for development-mode apps."""
    _authorize(request)
    raise spotify_error(403, REMOVED_MESSAGE)


@router.api_route(
    "/playlists/{playlist_id}/tracks",
    methods=["GET", "POST", "PUT", "DELETE"],
    # One function for four methods would repeat an operation id in the schema.
    include_in_schema=False,
)
async def removed_tracks(playlist_id: str, request: Request) -> Response:
    """Reject every method on the removed /tracks path with 403."""
    _authorize(request)
    raise spotify_error(403, REMOVED_MESSAGE)
