-- Time spans in which Soundtrack holds every play of a source: an export file's span,
-- or the span of a recently-played poll that joined up with the one before. An
-- activity outside every span may have had music that was never seen.
CREATE TABLE listening_coverage (
    user_id      VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    covered_from TIMESTAMP NOT NULL,
    covered_to   TIMESTAMP NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, source, covered_from, covered_to)
);
