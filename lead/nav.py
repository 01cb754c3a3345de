"""Whether the site's menu offers "My groups": asked on every page, so answered with the
signed-in person from the cache (``participants.identity``), stale as soon as their LLME rows
change."""

from participants.identity import is_llme

__all__ = ["is_llme"]
