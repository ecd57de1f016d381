"""The sandbox's in-memory world: users' data, tokens, playlists, subscriptions, logs."""

import base64
import hashlib
import random
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.clock import Clock
from sandbox.scenario import Activity, Play, Scenario, User

# Spotify's recently-played endpoint only ever returns the user's last 50 plays.
RECENTLY_PLAYED_WINDOW = 50

BASE62 = string.digits + string.ascii_letters


@dataclass
class AppCredentials:
    """A developer app registered with one service."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] | None = None  # None accepts any allowed URI


@dataclass
class AccessToken:
    token: str
    service: str
    user_key: str
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    service: str
    user_key: str
    client_id: str
    scopes: frozenset[str]
    pkce: bool = False
    revoked: bool = False
    access_token: str | None = None


@dataclass
class AuthCode:
    code: str
    service: str
    user_key: str
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    expires_at: datetime
    code_challenge: str | None = None
    used: bool = False


@dataclass
class PlaylistItem:
    uri: str
    added_at: datetime


@dataclass
class Playlist:
    id: str
    owner_key: str
    name: str
    description: str | None
    public: bool
    collaborative: bool
    snapshot_id: str
    items: list[PlaylistItem] = field(default_factory=list)
    image_jpeg: bytes | None = None


@dataclass
class Subscription:
    id: int
    client_id: str
    callback_url: str
    verify_token: str
    created_at: datetime


@dataclass
class RequestRecord:
    """One request the sandbox received, `time` is sandbox time, `user` a user key."""

    method: str
    path: str
    service: str
    user: str | None
    status: int | None
    time: datetime


@dataclass
class Delivery:
    """One attempt to POST a webhook event; status None means the attempt failed."""

    subscription_id: int
    event: dict
    attempt: int
    status: int | None
    error: str | None = None


class SandboxState:
    """Everything the fake services store, behind one re-entrant lock."""

    def __init__(self, scenario: Scenario, clock: Clock, seed: int = 0):
        self.lock = threading.RLock()
        self.clock = clock
        self.rng = random.Random(seed)
        self.users: dict[str, User] = {}
        self.deleted_activities: set[int] = set()
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.codes: dict[str, AuthCode] = {}
        self.playlists: dict[str, Playlist] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.request_log: list[RequestRecord] = []
        self.deliveries: list[Delivery] = []
        self.announced: set[int] = set()
        self.load(scenario)

    def load(self, scenario: Scenario) -> None:
        """Replace the users with `scenario`'s; tokens and playlists are kept."""
        with self.lock:
            self.users = {
                user.key: user.model_copy(deep=True) for user in scenario.users
            }
            self.deleted_activities.clear()
            now = self.clock.now()
            self.announced = {
                activity.id
                for user in self.users.values()
                for activity in user.activities
                if activity.visible_from <= now
            }

    def user(self, key: str) -> User:
        """Return the user with `key`; raises KeyError for an unknown key."""
        return self.users[key]

    def first_user_key(self) -> str | None:
        """Return the key of the scenario's first user, or None without users."""
        return next(iter(self.users), None)

    def user_by_athlete(self, athlete_id: int) -> User | None:
        """Return the user with Strava athlete id `athlete_id`, if any."""
        for user in self.users.values():
            if user.strava_athlete_id == athlete_id:
                return user
        return None

    def user_by_spotify_id(self, spotify_id: str) -> User | None:
        """Return the user with Spotify user id `spotify_id`, if any."""
        for user in self.users.values():
            if user.spotify_user_id == spotify_id:
                return user
        return None

    def recent_plays(self, user_key: str) -> list[Play]:
        """Return the user's last 50 finished catalogue plays by now, newest first."""
        now = self.clock.now()
        plays = [
            play
            for play in self.user(user_key).listening
            if play.played_at <= now and not play.is_local
        ]
        plays.sort(key=lambda play: play.played_at, reverse=True)
        return plays[:RECENTLY_PLAYED_WINDOW]

    def catalogue(self) -> dict[str, Play]:
        """Return one play per track URI across all users, as the track catalogue."""
        tracks: dict[str, Play] = {}
        for user in self.users.values():
            for play in user.listening:
                tracks.setdefault(play.uri, play)
        return tracks

    def visible_activities(self, user_key: str) -> list[Activity]:
        """Return the user's activities uploaded by now and not deleted."""
        now = self.clock.now()
        return [
            activity
            for activity in self.user(user_key).activities
            if activity.visible_from <= now
            and activity.id not in self.deleted_activities
        ]

    def find_activity(self, activity_id: int) -> tuple[User, Activity] | None:
        """Return the owner and a visible activity with `activity_id`, if any."""
        for user in self.users.values():
            for activity in self.visible_activities(user.key):
                if activity.id == activity_id:
                    return user, activity
        return None

    def newly_visible(self) -> list[tuple[User, Activity]]:
        """Return activities that became visible since the last call, and mark them."""
        found = []
        with self.lock:
            for user in self.users.values():
                for activity in self.visible_activities(user.key):
                    if activity.id not in self.announced:
                        self.announced.add(activity.id)
                        found.append((user, activity))
        return found

    def has_authorized(self, user_key: str, service: str, client_id: str) -> bool:
        """Whether the user holds a live refresh token for the app."""
        return any(
            token.user_key == user_key
            and token.service == service
            and token.client_id == client_id
            and not token.revoked
            for token in self.refresh_tokens.values()
        )

    def log_request(self, record: RequestRecord) -> None:
        """Append one request to the request log."""
        with self.lock:
            self.request_log.append(record)

    def requests(self, service: str | None = None) -> list[RequestRecord]:
        """Return the logged requests, optionally only those to one service."""
        with self.lock:
            return [r for r in self.request_log if service in (None, r.service)]

    def new_token(self, prefix: str, length: int = 40) -> str:
        """Return a fresh random token string that starts with `prefix`."""
        alphabet = string.ascii_letters + string.digits
        return prefix + "".join(self.rng.choice(alphabet) for _ in range(length))

    def new_spotify_id(self) -> str:
        """Return a fresh 22-character base-62 id, the form Spotify uses."""
        return "".join(self.rng.choice(BASE62) for _ in range(22))

    def new_snapshot_id(self) -> str:
        """Return a fresh opaque playlist snapshot id."""
        raw = bytes(self.rng.getrandbits(8) for _ in range(48))
        return base64.b64encode(raw).decode("ascii")


def stable_spotify_id(*parts: str) -> str:
    """Derive a 22-character base-62 id from `parts`, the same on every run."""
    digest = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest())
    chars = []
    for _ in range(22):
        digest, index = divmod(digest, 62)
        chars.append(BASE62[index])
    return "".join(chars)
