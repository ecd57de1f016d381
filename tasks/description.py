"""The soundtrack block in a Strava activity description: render, replace, find.

The block is one line that starts with a fixed marker, so that it can be found and
replaced after the user edits the rest of the text, and is never appended twice.
"""

import re

MARKER = "♫ Soundtrack:"

# Any line that starts with the marker, wherever the user moved it. Strava returns
# descriptions with \\r\\n line breaks, so a line ends at either.
_BLOCK_LINE = re.compile(
    r"^[ \t]*" + re.escape(MARKER) + r"[^\r\n]*(\r?\n)?", re.MULTILINE
)


def render_block(line: str) -> str:
    """Return the block line for the given text, such as the playlist link."""
    return f"{MARKER} {line.strip()}"


def strip_blocks(description: str | None) -> str:
    """Return the user's own text: the description without any soundtrack block."""
    text = _BLOCK_LINE.sub("", description or "")
    return text.rstrip()


def with_block(description: str | None, line: str) -> str:
    """Return the description with exactly one block, after the user's own text."""
    own = strip_blocks(description)
    block = render_block(line)
    if not own:
        return block
    separator = "\r\n" if "\r\n" in own else "\n"
    return f"{own}{separator}{separator}{block}"


def count_blocks(description: str | None) -> int:
    return len(_BLOCK_LINE.findall(description or ""))
