"""The editorial desk under /desk/: sign in, the queue, one brief beside its release, edits
through the faithfulness gate, approve, reject, correct, and the audit log.

`routes()` lists every path; all but the sign-in page need a live session (`auth`).
"""

from __future__ import annotations

from starlette.routing import Route

from syndicate.web.desk import auth, views

READ = ["GET", "HEAD"]


def routes() -> list[Route]:
    """The desk's paths; the app adds them to its own."""
    need = auth.signed_in
    return [
        Route("/desk/login", auth.login, methods=[*READ, "POST"]),
        Route("/desk/logout", need(auth.logout), methods=["POST"]),
        Route("/desk/", need(views.queue), methods=READ),
        Route("/desk/log", need(views.log), methods=READ),
        Route("/desk/briefs/{id}", need(views.show), methods=READ),
        Route("/desk/briefs/{id}/edit", need(views.edit), methods=["POST"]),
        Route("/desk/briefs/{id}/approve", need(views.approve), methods=["POST"]),
        Route("/desk/briefs/{id}/reject", need(views.reject), methods=["POST"]),
    ]


# Every path a session guards (for the security tests and the README).
GUARDED = [r.path for r in routes() if r.path != "/desk/login"]
