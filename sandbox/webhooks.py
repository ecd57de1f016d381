"""Strava push subscriptions: the callback handshake and event delivery with faults."""

import heapq
import itertools
import logging
import random
import threading
import time
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, Field

from sandbox.state import Delivery, SandboxState

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = {"127.0.0.1"}


class WebhookSettings(BaseModel):
    """Delivery settings for events. Delays are REAL seconds, not sandbox-clock time,
    because a test may never move the sandbox clock and still expects deliveries."""

    seed: int = 0
    delay_s: float = Field(0.0, ge=0, description="Real seconds before each delivery.")
    duplicate_rate: float = Field(0.0, ge=0, le=1)
    reorder_rate: float = Field(
        0.0, ge=0, le=1, description="Chance an event is held back behind the next one."
    )
    loss_rate: float = Field(0.0, ge=0, le=1)
    handshake_timeout_s: float = Field(
        2.0, gt=0, description="Real seconds the callback has to echo hub.challenge."
    )
    delivery_timeout_s: float = 2.0
    attempts: int = Field(3, ge=1, description="Tries per event, as Strava retries.")
    retry_wait_s: float = Field(0.1, ge=0, description="Real seconds between tries.")


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) on 127.0.0.1, the only callback host the sandbox calls."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS


async def verify_callback(url: str, verify_token: str, timeout_s: float) -> bool:
    """GET the callback with a hub.challenge and check it echoes the challenge back."""
    challenge = f"sandbox-{time.monotonic_ns()}"
    params = {
        "hub.mode": "subscribe",
        "hub.challenge": challenge,
        "hub.verify_token": verify_token,
    }
    try:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(url, params=params)
        echoed = response.json().get("hub.challenge")
    except (httpx.HTTPError, ValueError, AttributeError) as error:
        logger.info("webhook handshake with %s failed: %s", url, error)
        return False
    return response.status_code == 200 and echoed == challenge


class WebhookDispatcher:
    """Queues events per subscription and POSTs them from one background thread."""

    def __init__(self, state: SandboxState, settings: WebhookSettings | None = None):
        self.state = state
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, int, dict, int]] = []
        self._held_back: list[tuple[int, dict]] = []
        self._seq = itertools.count()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.configure(settings or WebhookSettings())

    def configure(self, settings: WebhookSettings) -> None:
        """Replace the delivery settings and reseed the generator."""
        with self._cond:
            self.settings = settings
            self._rng = random.Random(settings.seed)

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name="sandbox-webhooks", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread; events still queued are dropped."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def emit(
        self,
        owner_id: int,
        object_type: str,
        object_id: int,
        aspect: str,
        updates: dict | None = None,
        client_id: str | None = None,
    ) -> int:
        """Queue one event per subscription of an app the owner authorized.

        With `client_id`, only that app's subscriptions get the event, whether or not
        the owner still authorizes it (a deauthorization event). Returns the count.
        """
        queued = 0
        for subscription in list(self.state.subscriptions.values()):
            if client_id is not None:
                if subscription.client_id != client_id:
                    continue
            elif not self._authorized(owner_id, subscription.client_id):
                continue
            event = {
                "aspect_type": aspect,
                "event_time": int(self.state.clock.timestamp()),
                "object_id": object_id,
                "object_type": object_type,
                "owner_id": owner_id,
                "subscription_id": subscription.id,
                "updates": dict(updates or {}),
            }
            self._enqueue(subscription.id, event)
            queued += 1
        return queued

    def _authorized(self, owner_id: int, client_id: str) -> bool:
        user = self.state.user_by_athlete(owner_id)
        if user is None:
            return False
        return self.state.has_authorized(user.key, "strava", client_id)

    def announce_new_activities(self) -> None:
        """Send a create event for each activity that became visible since last time."""
        for user, activity in self.state.newly_visible():
            self.emit(user.strava_athlete_id, "activity", activity.id, "create")

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Release held events and block until every queued event was tried."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._release_held()
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def deliveries(self) -> list[Delivery]:
        """Return every delivery attempt so far, in the order they were made."""
        with self.state.lock:
            return list(self.state.deliveries)

    def _enqueue(self, subscription_id: int, event: dict) -> None:
        settings = self.settings
        with self._cond:
            if self._rng.random() < settings.loss_rate:
                self._record(Delivery(subscription_id, event, 0, None, "lost"))
                return
            copies = 2 if self._rng.random() < settings.duplicate_rate else 1
            hold = self._rng.random() < settings.reorder_rate
            for _ in range(copies):
                if hold:
                    self._held_back.append((subscription_id, event))
                else:
                    self._push(subscription_id, event, 1, settings.delay_s)
            if not hold:
                # A held event goes out after the next event, so the two swap order.
                self._release_held()

    def _release_held(self) -> None:
        held_back, self._held_back = self._held_back, []
        for subscription_id, event in held_back:
            self._push(subscription_id, event, 1, self.settings.delay_s)

    def _push(self, subscription_id: int, event: dict, attempt: int, wait_s: float):
        due = time.monotonic() + wait_s
        heapq.heappush(
            self._queue, (due, next(self._seq), subscription_id, event, attempt)
        )
        self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client() as client:
            while True:
                item = self._next_due()
                if item is None:
                    return
                self._deliver(client, *item)
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _next_due(self):
        with self._cond:
            while not self._stopping:
                if self._queue and self._queue[0][0] <= time.monotonic():
                    self._busy = True
                    _due, _seq, subscription_id, event, attempt = heapq.heappop(
                        self._queue
                    )
                    return subscription_id, event, attempt
                wait = self._queue[0][0] - time.monotonic() if self._queue else None
                self._cond.wait(wait)
        return None

    def _deliver(
        self, client: httpx.Client, subscription_id: int, event: dict, attempt: int
    ) -> None:
        subscription = self.state.subscriptions.get(subscription_id)
        if subscription is None:
            self._record(
                Delivery(subscription_id, event, attempt, None, "unsubscribed")
            )
            return
        status, error = None, None
        try:
            response = client.post(
                subscription.callback_url,
                json=event,
                timeout=self.settings.delivery_timeout_s,
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        self._record(Delivery(subscription_id, event, attempt, status, error))
        if status == 200 or attempt >= self.settings.attempts:
            return
        logger.info(
            "webhook delivery %s to %s failed (%s); retrying",
            attempt,
            subscription.callback_url,
            error or status,
        )
        with self._cond:
            self._push(subscription_id, event, attempt + 1, self.settings.retry_wait_s)

    def _record(self, delivery: Delivery) -> None:
        with self.state.lock:
            self.state.deliveries.append(delivery)
