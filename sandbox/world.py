"""One sandbox instance's parts wired together: clock, state, limits, faults, hooks."""

from pydantic import BaseModel, Field

from sandbox.clock import Clock
from sandbox.faults import Faults
from sandbox.ratelimit import SpotifyLimiter, StravaLimiter
from sandbox.scenario import Activity, Play, Scenario
from sandbox.state import AppCredentials, SandboxState
from sandbox.strava_objects import apply_update
from sandbox.webhooks import WebhookDispatcher

SPOTIFY_APP = AppCredentials("sandbox-spotify-client", "sandbox-spotify-secret")
STRAVA_APP = AppCredentials("424242", "sandbox-strava-secret")


class OAuthOptions(BaseModel):
    """Token lifetimes (seconds) and refresh behaviours of both services."""

    spotify_access_ttl_s: int = 3600
    strava_access_ttl_s: int = 21600
    code_ttl_s: int = Field(600, description="Lifetime of an authorization code.")
    spotify_refresh_returns_new_token: bool = Field(
        False,
        description="Include a new refresh_token when a client-secret app refreshes; "
        "Spotify usually omits it, and PKCE refreshes always include one.",
    )
    strava_rotate_refresh: bool = Field(
        True,
        description="Issue a new Strava refresh token on refresh, killing the old.",
    )
    strava_reuse_window_s: int = Field(
        3600,
        description="A Strava refresh returns the same access token while it has more "
        "than this many seconds left.",
    )


class World:
    """The fake services' shared parts, reachable from every route."""

    def __init__(self, scenario: Scenario | None = None, seed: int = 0):
        scenario = scenario or Scenario()
        self.clock = Clock(scenario.clock_start)
        self.state = SandboxState(scenario, self.clock, seed)
        self.options = OAuthOptions()
        self.faults = Faults()
        self.spotify_limiter = SpotifyLimiter(self.clock)
        self.strava_limiter = StravaLimiter(self.clock)
        self.spotify_app = AppCredentials(
            SPOTIFY_APP.client_id, SPOTIFY_APP.client_secret
        )
        self.strava_app = AppCredentials(STRAVA_APP.client_id, STRAVA_APP.client_secret)
        self.webhooks = WebhookDispatcher(self.state)
        self.clock.on_change(lambda _now: self.webhooks.announce_new_activities())

    def load(self, scenario: Scenario) -> None:
        """Replace the users with `scenario`'s and move the clock to its start."""
        if scenario.clock_start is not None:
            self.clock.set(scenario.clock_start)
        self.state.load(scenario)

    def add_plays(self, user_key: str, plays: list[Play]) -> int:
        """Append plays to a user's listening; raises KeyError for an unknown user."""
        with self.state.lock:
            self.state.user(user_key).listening.extend(plays)
        return len(plays)

    def add_activities(self, user_key: str, activities: list[Activity]) -> int:
        """Add activities and send create events for those already uploaded."""
        with self.state.lock:
            self.state.user(user_key).activities.extend(activities)
        self.webhooks.announce_new_activities()
        return len(activities)

    def edit_activity(self, user_key: str, activity_id: int, changes: dict) -> Activity:
        """Change an activity as its owner would on strava.com, with an update event."""
        user = self.state.user(user_key)
        activity = self._visible_activity(user_key, activity_id)
        with self.state.lock:
            updates = apply_update(activity, changes)
        self.webhooks.emit(
            user.strava_athlete_id, "activity", activity_id, "update", updates
        )
        return activity

    def delete_activity(self, user_key: str, activity_id: int) -> None:
        """Delete an activity as its owner would, with a delete event."""
        user = self.state.user(user_key)
        self._visible_activity(user_key, activity_id)
        with self.state.lock:
            self.state.deleted_activities.add(activity_id)
        self.webhooks.emit(user.strava_athlete_id, "activity", activity_id, "delete")

    def _visible_activity(self, user_key: str, activity_id: int) -> Activity:
        for activity in self.state.visible_activities(user_key):
            if activity.id == activity_id:
                return activity
        raise KeyError(f"user {user_key!r} has no visible activity {activity_id}")
