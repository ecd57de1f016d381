-- Strava push events, kept once each: Strava may deliver the same event twice, late,
-- or out of order. processed_at is set once the event's activity was fetched.
CREATE TABLE strava_events (
    object_type     VARCHAR NOT NULL,
    object_id       BIGINT NOT NULL,
    aspect_type     VARCHAR NOT NULL,
    event_time      BIGINT NOT NULL,
    owner_id        BIGINT NOT NULL,
    subscription_id BIGINT,
    updates         JSON,
    received_at     TIMESTAMP NOT NULL,
    processed_at    TIMESTAMP,
    outcome         VARCHAR,
    PRIMARY KEY (object_type, object_id, aspect_type, event_time)
);

-- Set when Strava reports the activity deleted; its playlist is kept.
ALTER TABLE activities ADD COLUMN deleted_at TIMESTAMP;
