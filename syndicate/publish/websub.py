"""Feed URLs -> a WebSub publish notification to the hub (W3C WebSub section 7).

The hub is told `hub.mode=publish` and each changed feed's self URL as `hub.url`. A hub that is
down or slow returns a failure to the caller, who records it and retries on the next publish:
it never raises and never blocks publishing for longer than the timeout.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence

from syndicate import logs


def ping(hub: str, urls: Sequence[str], *, timeout: float = 5.0, user_agent: str = "") -> bool:
    """POST one publish notification for `urls`; True when the hub answered 2xx."""
    if not urls:
        return True
    pairs = [("hub.mode", "publish"), *(("hub.url", u) for u in urls)]
    body = urllib.parse.urlencode(pairs).encode("ascii")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if user_agent:
        headers["User-Agent"] = user_agent
    request = urllib.request.Request(hub, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as e:
        logs.warning("publish.websub_failed", url=hub, status=e.code, feeds=len(urls))
        return False
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        logs.warning("publish.websub_failed", url=hub, error=str(reason), feeds=len(urls))
        return False
    logs.event("publish.websub", url=hub, status=status, feeds=len(urls))
    return 200 <= status < 300
