import pytest

from tasks.description import MARKER, count_blocks, strip_blocks, with_block

URL = "https://open.spotify.com/playlist/abc"


@pytest.mark.parametrize(
    "description",
    [None, "", "Hill repeats, legs gone", "Line one\r\nLine two", "Tempo\n\n\n"],
)
def test_block_added_once_and_user_text_kept(description):
    once = with_block(description, URL)
    twice = with_block(once, URL)
    assert twice == once
    assert count_blocks(twice) == 1
    assert strip_blocks(twice) == (description or "").rstrip()


def test_block_replaced_after_user_edit():
    published = with_block("Hill repeats, legs gone", URL)
    edited = "Felt strong today\n" + published + "\nPS: new shoes"
    updated = with_block(edited, URL + "2")
    assert count_blocks(updated) == 1
    assert updated.endswith(f"{MARKER} {URL}2")
    assert "Felt strong today" in updated
    assert "PS: new shoes" in updated
    assert "Hill repeats, legs gone" in updated


def test_windows_line_breaks_kept():
    updated = with_block("Easy run\r\n-- from COROS", URL)
    assert updated == f"Easy run\r\n-- from COROS\r\n\r\n{MARKER} {URL}"


def test_duplicate_blocks_collapse_to_one():
    broken = f"Run\n{MARKER} old1\n{MARKER} old2"
    assert count_blocks(with_block(broken, URL)) == 1
