-- One row per user and service that Soundtrack may call on the user's behalf. Both
-- tokens are Fernet ciphertext (storage/connections.py); the key never enters the
-- database. status is one of:
--   connected         the tokens work, or can be refreshed
--   reconnect_needed  the service rejected the refresh token or a fresh access token,
--                     so no token request is sent until the user connects again
--   disconnected      the user or the service revoked access
CREATE TABLE connections (
    user_id       VARCHAR NOT NULL,
    service       VARCHAR NOT NULL CHECK (service IN ('spotify', 'strava')),
    account_id    VARCHAR,
    scopes        VARCHAR[] NOT NULL,
    access_token  VARCHAR NOT NULL,
    refresh_token VARCHAR NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    status        VARCHAR NOT NULL
        CHECK (status IN ('connected', 'reconnect_needed', 'disconnected')),
    status_reason VARCHAR,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, service)
);

-- App-wide pauses after a rate limit, shared by every user and process. scope names
-- the limit: 'app' (a Spotify Retry-After), 'daily_quota' (Spotify QUOTA_EXCEEDED) or
-- 'strava_window' (a Strava 15-minute or daily window).
CREATE TABLE app_cooldowns (
    service VARCHAR NOT NULL,
    scope   VARCHAR NOT NULL,
    until   TIMESTAMP NOT NULL,
    reason  VARCHAR NOT NULL,
    set_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (service, scope)
);

-- Requests sent per service and UTC day, counted before each request leaves.
CREATE TABLE api_requests (
    service VARCHAR NOT NULL,
    day     DATE NOT NULL,
    count   BIGINT NOT NULL,
    PRIMARY KEY (service, day)
);
