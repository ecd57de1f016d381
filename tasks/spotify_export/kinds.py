"""Names of the Spotify export kinds, of the reasons to skip a record, and of episode keys."""

EXTENDED = "spotify_extended"
VIDEO = "spotify_video"
ACCOUNT = "spotify_account"
ACCOUNT_PODCAST = "spotify_account_podcast"
ACCOUNT_AUDIOBOOK = "spotify_account_audiobook"

SKIP_EPISODE = "podcast episode"
SKIP_AUDIOBOOK = "audiobook chapter"
SKIP_NO_TRACK = "no track URI, name or artist"
SKIP_ZERO = "zero-length play"
SKIP_LOCAL = "local file"
SKIP_VIDEO = "video or podcast history, not music"

# Files that hold no music: every record is counted under one skip reason.
NON_MUSIC_KINDS = {
    VIDEO: SKIP_VIDEO,
    ACCOUNT_PODCAST: SKIP_EPISODE,
    ACCOUNT_AUDIOBOOK: SKIP_AUDIOBOOK,
}

# Extended-history keys that are set on podcast episodes and audiobook chapters.
EPISODE_KEYS = ("episode_name", "episode_show_name", "spotify_episode_uri")
AUDIOBOOK_KEYS = ("audiobook_title", "audiobook_uri", "audiobook_chapter_uri")
