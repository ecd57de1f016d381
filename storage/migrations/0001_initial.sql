-- Every TIMESTAMP column holds a UTC instant without a zone.

CREATE TABLE users (
    user_id      VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    created_at   TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);

-- One row per play of a music track. play_id is a hash of the user, source, track,
-- end and length, so the same record imported twice is stored once.
CREATE TABLE plays (
    play_id           VARCHAR PRIMARY KEY,
    user_id           VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    source_rank       SMALLINT NOT NULL,
    ended_at          TIMESTAMP NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    ms_played         BIGINT NOT NULL,
    end_uncertainty_s INTEGER NOT NULL,
    track_key         VARCHAR NOT NULL,
    track_uri         VARCHAR,
    track_name        VARCHAR NOT NULL,
    artist_name       VARCHAR NOT NULL,
    album_name        VARCHAR,
    platform          VARCHAR,
    conn_country      VARCHAR,
    reason_start      VARCHAR,
    reason_end        VARCHAR,
    shuffle           BOOLEAN,
    skipped           BOOLEAN,
    offline           BOOLEAN,
    offline_at        TIMESTAMP,
    incognito         BOOLEAN,
    source_file       VARCHAR,
    imported_at       TIMESTAMP NOT NULL
);

CREATE TABLE activities (
    activity_id     VARCHAR PRIMARY KEY,
    user_id         VARCHAR NOT NULL,
    strava_id       BIGINT,
    name            VARCHAR,
    sport_type      VARCHAR,
    start_at        TIMESTAMP NOT NULL,
    elapsed_s       BIGINT NOT NULL,
    moving_s        BIGINT,
    distance_m      DOUBLE,
    timezone        VARCHAR,
    utc_offset_s    BIGINT,
    description     VARCHAR,
    source          VARCHAR NOT NULL,
    source_file     VARCHAR,
    activity_file   VARCHAR,
    start_from_file BOOLEAN NOT NULL DEFAULT false,
    imported_at     TIMESTAMP NOT NULL
);

CREATE TABLE activity_pauses (
    activity_id VARCHAR NOT NULL,
    paused_at   TIMESTAMP NOT NULL,
    resumed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (activity_id, paused_at)
);

-- The matched music of one activity; soundtrack_tracks holds it in play order.
CREATE TABLE soundtracks (
    activity_id VARCHAR PRIMARY KEY,
    user_id     VARCHAR NOT NULL,
    track_count INTEGER NOT NULL,
    music_s     DOUBLE NOT NULL,
    rules_json  VARCHAR NOT NULL,
    matched_at  TIMESTAMP NOT NULL
);

CREATE TABLE soundtrack_tracks (
    activity_id       VARCHAR NOT NULL,
    position          INTEGER NOT NULL,
    play_id           VARCHAR NOT NULL,
    track_uri         VARCHAR,
    track_name        VARCHAR NOT NULL,
    artist_name       VARCHAR NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    ended_at          TIMESTAMP NOT NULL,
    offset_s          DOUBLE NOT NULL,
    overlap_s         DOUBLE NOT NULL,
    end_uncertainty_s INTEGER NOT NULL,
    PRIMARY KEY (activity_id, position)
);

-- Per-user choices (matching rules, playlist templates) as JSON documents.
CREATE TABLE settings (
    user_id    VARCHAR NOT NULL,
    key        VARCHAR NOT NULL,
    value      JSON NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Cursors and state of each incremental stream, such as recently-played.
CREATE TABLE sync_state (
    user_id    VARCHAR NOT NULL,
    stream     VARCHAR NOT NULL,
    cursor     VARCHAR,
    detail     JSON,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, stream)
);

-- One row per imported input file, keyed by content, for the import report.
CREATE TABLE import_files (
    user_id     VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    records     INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, sha256)
);
