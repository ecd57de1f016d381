"""Small helpers for the sentences the CLI prints."""


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """Return a count with its noun, such as "1 play" or "3 activities"."""
    noun = singular if n == 1 else (plural or singular + "s")
    return f"{n} {noun}"
