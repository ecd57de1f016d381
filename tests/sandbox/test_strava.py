"""Strava API subset: activity lists, details, updates, streams and webhooks."""

import pytest

from tests.sandbox.conftest import Receiver, bearer


@pytest.fixture
def alice(sandbox) -> dict:
    return bearer(sandbox.grant("strava", "alice"))


def test_list_activities_newest_first_without_description(sandbox, client, alice):
    url = f"{sandbox.strava_api_url}/athlete/activities"
    body = client.get(url, headers=alice).json()
    # The 07:00 run is not uploaded yet at 06:00.
    assert [a["id"] for a in body] == [8100000002, 8100000001]
    assert all("description" not in a for a in body)
    assert body[0]["start_date_local"] == "2025-05-03T00:00:00Z"
    sandbox.clock.advance(5400)
    assert len(client.get(url, headers=alice).json()) == 3


def test_list_activities_filters_and_pages(sandbox, client, alice):
    sandbox.clock.advance(5400)
    url = f"{sandbox.strava_api_url}/athlete/activities"
    day_one = 1746165600  # 2025-05-02T06:00Z
    after = client.get(url, params={"after": day_one}, headers=alice).json()
    # With only `after`, Strava lists oldest first.
    assert [a["id"] for a in after] == [8100000001, 8100000002, 8100000003]
    window = client.get(
        url, params={"after": day_one, "before": day_one + 86400 * 2}, headers=alice
    ).json()
    assert [a["id"] for a in window] == [8100000003, 8100000002, 8100000001][1:]
    page2 = client.get(url, params={"per_page": 2, "page": 2}, headers=alice).json()
    assert [a["id"] for a in page2] == [8100000001]


def test_private_activity_needs_read_all(sandbox, client):
    token = bearer(sandbox.grant("strava", "alice", scopes=["read", "activity:read"]))
    url = f"{sandbox.strava_api_url}/athlete/activities"
    assert [a["id"] for a in client.get(url, headers=token).json()] == [8100000001]
    detail = client.get(
        f"{sandbox.strava_api_url}/activities/8100000002", headers=token
    )
    assert detail.status_code == 404


def test_missing_read_scope_is_401(sandbox, client):
    token = bearer(sandbox.grant("strava", "alice", scopes=["read"]))
    response = client.get(f"{sandbox.strava_api_url}/athlete/activities", headers=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "activity:read_permission"


def test_unknown_activity_is_404_with_empty_body(sandbox, client, alice):
    response = client.get(f"{sandbox.strava_api_url}/activities/1", headers=alice)
    assert response.status_code == 404
    assert response.content == b""
    bob = bearer(sandbox.grant("strava", "bob"))
    others = client.get(f"{sandbox.strava_api_url}/activities/8100000001", headers=bob)
    assert others.status_code == 404


def test_update_description_replaces_text(sandbox, client, alice):
    url = f"{sandbox.strava_api_url}/activities/8100000001"
    before = client.get(url, headers=alice).json()
    assert before["description"] == "Hill repeats, legs gone"
    updated = client.put(url, data={"description": "New text"}, headers=alice).json()
    assert updated["description"] == "New text"
    as_json = client.put(url, json={"description": "Json text"}, headers=alice)
    assert as_json.json()["description"] == "Json text"
    assert client.get(url, headers=alice).json()["description"] == "Json text"


def test_update_needs_write_scope(sandbox, client):
    token = bearer(sandbox.grant("strava", "alice", scopes=["activity:read_all"]))
    url = f"{sandbox.strava_api_url}/activities/8100000001"
    response = client.put(url, data={"description": "x"}, headers=token)
    assert response.status_code == 401
    assert response.json()["errors"][0]["field"] == "activity:write_permission"


def test_streams_default_and_keyed(sandbox, client, alice):
    url = f"{sandbox.strava_api_url}/activities/8100000001/streams"
    default = client.get(url, params={"key_by_type": "true"}, headers=alice).json()
    assert list(default) == ["distance"]
    assert default["distance"]["resolution"] == "high"
    assert default["distance"]["original_size"] == 1801
    keyed = client.get(
        url, params={"keys": "time,latlng", "key_by_type": "true"}, headers=alice
    ).json()
    assert set(keyed) == {"time", "latlng", "distance"}
    assert keyed["time"]["data"][-1] == 1800
    listed = client.get(url, params={"keys": "time"}, headers=alice).json()
    assert [s["type"] for s in listed] == ["time", "distance"]


def test_athlete_profile(sandbox, client, alice):
    body = client.get(f"{sandbox.strava_api_url}/athlete", headers=alice).json()
    assert body["id"] == 90000011
    assert body["resource_state"] == 3


def _subscribe(sandbox, client, callback_url: str):
    app = sandbox.strava_app
    return client.post(
        f"{sandbox.strava_api_url}/push_subscriptions",
        data={
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "callback_url": callback_url,
            "verify_token": "tok",
        },
    )


def test_subscription_handshake_and_list(sandbox, client, receiver):
    created = _subscribe(sandbox, client, receiver.url)
    assert created.status_code == 201
    assert receiver.challenges[0]["hub.mode"] == "subscribe"
    assert receiver.challenges[0]["hub.verify_token"] == "tok"
    app = sandbox.strava_app
    params = {"client_id": app.client_id, "client_secret": app.client_secret}
    listed = client.get(f"{sandbox.strava_api_url}/push_subscriptions", params=params)
    assert listed.json()[0]["callback_url"] == receiver.url
    assert _subscribe(sandbox, client, receiver.url).status_code == 400
    sub_id = created.json()["id"]
    deleted = client.delete(
        f"{sandbox.strava_api_url}/push_subscriptions/{sub_id}", params=params
    )
    assert deleted.status_code == 204
    assert (
        client.get(f"{sandbox.strava_api_url}/push_subscriptions", params=params).json()
        == []
    )


def test_subscription_rejects_bad_echo(sandbox, client):
    with Receiver(echo=False) as bad:
        response = _subscribe(sandbox, client, bad.url)
    assert response.status_code == 400
    assert sandbox.state.subscriptions == {}


def test_subscription_rejects_other_hosts(sandbox, client):
    response = _subscribe(sandbox, client, "https://example.invalid/hook")
    assert response.status_code == 400


def test_events_for_upload_update_delete(sandbox, client, receiver, alice):
    sub_id = _subscribe(sandbox, client, receiver.url).json()["id"]
    sandbox.clock.advance(5400)  # the 07:00 run becomes visible at 07:30
    url = f"{sandbox.strava_api_url}/activities/8100000003"
    client.put(url, data={"name": "Morning run"}, headers=alice)
    sandbox.world.delete_activity("alice", 8100000003)
    assert sandbox.webhooks.wait_idle()
    aspects = [(e["aspect_type"], e["object_id"]) for e in receiver.events]
    assert aspects == [
        ("create", 8100000003),
        ("update", 8100000003),
        ("delete", 8100000003),
    ]
    create = receiver.events[0]
    assert create["owner_id"] == 90000011
    assert create["subscription_id"] == sub_id
    assert create["updates"] == {}
    assert create["event_time"] == int(sandbox.clock.timestamp())
    assert receiver.events[1]["updates"] == {"title": "Morning run"}
    assert client.get(url, headers=alice).status_code == 404


def test_events_duplicated_and_lost(sandbox, client, receiver, alice):
    from sandbox.webhooks import WebhookSettings

    _subscribe(sandbox, client, receiver.url)
    sandbox.webhooks.configure(WebhookSettings(duplicate_rate=1.0))
    sandbox.clock.advance(5400)
    assert sandbox.webhooks.wait_idle()
    assert [e["object_id"] for e in receiver.events] == [8100000003, 8100000003]

    sandbox.webhooks.configure(WebhookSettings(loss_rate=1.0))
    sandbox.world.edit_activity("alice", 8100000003, {"description": "x"})
    assert sandbox.webhooks.wait_idle()
    assert len(receiver.events) == 2
    assert sandbox.webhooks.deliveries()[-1].error == "lost"


def test_events_reordered(sandbox, client, receiver, alice):
    from sandbox.webhooks import WebhookSettings

    _subscribe(sandbox, client, receiver.url)
    sandbox.clock.advance(5400)
    assert sandbox.webhooks.wait_idle()
    sandbox.webhooks.configure(WebhookSettings(reorder_rate=1.0))
    sandbox.world.edit_activity("alice", 8100000003, {"name": "first"})
    sandbox.webhooks.configure(WebhookSettings(reorder_rate=0.0))
    sandbox.world.edit_activity("alice", 8100000003, {"name": "second"})
    assert sandbox.webhooks.wait_idle()
    titles = [e["updates"].get("title") for e in receiver.events[1:]]
    assert titles == ["second", "first"]


def test_deauthorize_sends_athlete_event(sandbox, client, receiver, alice):
    _subscribe(sandbox, client, receiver.url)
    token = alice["Authorization"].split()[1]
    client.post(f"{sandbox.strava_oauth_url}/deauthorize", data={"access_token": token})
    assert sandbox.webhooks.wait_idle()
    event = receiver.events[-1]
    assert event["object_type"] == "athlete"
    assert event["updates"] == {"authorized": "false"}
    assert event["object_id"] == 90000011
