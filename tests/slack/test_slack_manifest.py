"""The manifest a workspace creates the app from: what it subscribes to, and no scope more than needed."""

from __future__ import annotations

from tests.slack.harness import REPO


def test_the_manifest_subscribes_to_what_the_app_listens_for_with_minimal_scopes() -> None:
    lines = [ln.strip() for ln in (REPO / "manifest.yml").read_text().splitlines() if not ln.strip().startswith("#")]

    def items_under(key: str) -> set[str]:
        start = lines.index(key) + 1
        out = set()
        for ln in lines[start:]:
            if not ln.startswith("- "):
                break
            out.add(ln[2:].strip())
        return out

    assert items_under("bot_events:") == {"app_mention"}
    assert items_under("bot:") == {"app_mentions:read", "chat:write", "commands"}
    assert "- command: /rca" in lines and "socket_mode_enabled: true" in lines
