-- One row per activity that Soundtrack publishes. The row is written as an intent
-- before each remote call, so a crash at any point resumes instead of repeating:
--   creating  the playlist may or may not exist on Spotify; look for the marker first
--   created   the playlist exists; items_added of uris are in it
--   complete  every item is in the playlist
CREATE TABLE playlists (
    activity_id       VARCHAR PRIMARY KEY,
    user_id           VARCHAR NOT NULL,
    marker            VARCHAR NOT NULL,
    state             VARCHAR NOT NULL,
    name              VARCHAR NOT NULL,
    description       VARCHAR NOT NULL,
    public            BOOLEAN NOT NULL,
    uris              VARCHAR[] NOT NULL,
    left_out          VARCHAR[] NOT NULL,
    playlist_id       VARCHAR,
    playlist_url      VARCHAR,
    items_added       INTEGER NOT NULL DEFAULT 0,
    -- pending, verified (the description holds one block with playlist_url), off
    -- (the user does not want it), too old (started before the settings' window),
    -- or none (the activity is not on Strava)
    description_state VARCHAR NOT NULL DEFAULT 'pending',
    described_url     VARCHAR,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
