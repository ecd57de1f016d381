"""A local stand-in for the Spotify and Strava Web APIs, served on 127.0.0.1.

Start it with `SandboxServer` (tests) or `serve` / `python -m sandbox` (demo). Token
expiry, rate windows and data visibility follow the sandbox clock; webhook delivery
delays are real seconds.
"""
