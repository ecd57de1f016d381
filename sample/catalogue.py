"""An invented music catalogue and podcast list: made-up names, plausible Spotify ids."""

import random
import string

from sample.world import Track

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

# Word lists for invented names. Accents and one emoji keep non-ASCII text in the
# files, as real exports have.
_ADJECTIVES = [
    "Amber",
    "Broken",
    "Copper",
    "Distant",
    "Electric",
    "Faded",
    "Golden",
    "Hollow",
    "Idle",
    "Jade",
    "Lunar",
    "Midnight",
    "Neon",
    "Open",
    "Pale",
    "Quiet",
    "Rusty",
    "Silver",
    "Tidal",
    "Velvet",
    "Wild",
    "Northern",
    "Paper",
    "Glass",
    "Crimson",
]
_NOUNS = [
    "Harbour",
    "Lanterns",
    "Engines",
    "Meadow",
    "Rivers",
    "Satellites",
    "Foxes",
    "Avenue",
    "Echoes",
    "Orchard",
    "Signals",
    "Tides",
    "Lighthouse",
    "Canyon",
    "Pylons",
    "Kites",
    "Balconies",
    "Static",
    "Comets",
    "Ferries",
    "Arcade",
]
_TITLE_WORDS = [
    "run",
    "home",
    "light",
    "summer",
    "again",
    "fever",
    "gravity",
    "slow",
    "motion",
    "heart",
    "city",
    "river",
    "stay",
    "gold",
    "dust",
    "forever",
    "tonight",
    "wire",
    "horizon",
    "paper",
    "ocean",
    "fire",
    "shadow",
    "mile",
    "morning",
    "rain",
    "café",
    "lumière",
    "señal",
    "über",
]
_ALBUM_SUFFIXES = ["", "", "", " (Deluxe)", " - EP", " (Live)"]
_SHOWS = [
    ("Long Run Radio", "Ep. {n}: {topic}"),
    ("The Split Times", "{topic} | Episode {n}"),
    ("Cadence & Coffee ☕", "#{n} {topic}"),
]
_TOPICS = [
    "Tapering without panic",
    "Why easy days matter",
    "Hills for beginners",
    "Fuelling the long ride",
    "Running through winter",
    "Shoes, explained",
    "Recovery weeks",
    "The first marathon",
    "Track sessions",
    "Sleep and training",
]


def spotify_id(rng: random.Random) -> str:
    """Return a random 22-character base-62 id, the shape of Spotify's ids."""
    return "".join(rng.choice(BASE62) for _ in range(22))


def build_tracks(rng: random.Random, count: int = 320) -> list[Track]:
    """Invent count tracks by about 40 artists, each with a few albums."""
    artists = _artist_names(rng, 40)
    tracks = []
    while len(tracks) < count:
        artist = rng.choice(artists)
        album = _title(rng, 2) + rng.choice(_ALBUM_SUFFIXES)
        for _ in range(rng.randint(3, 10)):
            duration_ms = int(rng.triangular(120_000, 420_000, 210_000))
            uri = "spotify:track:" + spotify_id(rng)
            tracks.append(Track(uri, _title(rng, 3), artist, album, duration_ms))
    return tracks[:count]


def build_episodes(rng: random.Random, count: int = 24) -> list[Track]:
    """Invent count podcast episodes of 20 to 70 minutes from a few shows."""
    episodes = []
    for number in range(1, count + 1):
        show, pattern = _SHOWS[number % len(_SHOWS)]
        name = pattern.format(n=number + 40, topic=rng.choice(_TOPICS))
        duration_ms = rng.randint(20, 70) * 60_000 + rng.randint(0, 59_999)
        uri = "spotify:episode:" + spotify_id(rng)
        episodes.append(Track(uri, name, show, None, duration_ms))
    return episodes


def _artist_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        adjective, noun = rng.choice(_ADJECTIVES), rng.choice(_NOUNS)
        form = rng.random()
        if form < 0.4:
            names.add(f"The {adjective} {noun}")
        elif form < 0.8:
            names.add(f"{adjective} {noun}")
        else:
            names.add(f"{noun} & the {adjective}s")
    return sorted(names)


def _title(rng: random.Random, max_words: int) -> str:
    words = rng.sample(_TITLE_WORDS, rng.randint(1, max_words))
    return (
        " ".join(words).title() if rng.random() < 0.7 else " ".join(words).capitalize()
    )
