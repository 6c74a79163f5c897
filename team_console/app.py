"""The console's web app: the login, the figures page, the review queue and its decisions.

Every page but the login form and the stylesheet needs a signed-in session: a page asked for
without one redirects to /login, a form posted without one gets 401. Every form carries the
session's CSRF token (auth.py). The analytics come in as `Analytics` (the real one reads and
writes the tracker database through refresh, figures and review); each page first brings the
analytics tables up to date with refresh().
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from common.logs import log_event
from team_console import auth, figures, pages, periods, refresh, review
from team_console.auth import Session
from team_console.figures import DEFAULT_IDLE_MINUTES
from team_console.tables import MAX_TEXT

log = logging.getLogger("team_console")
ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = Path(__file__).resolve().parent / "static" / "console.css"
MAX_FORM_BYTES = 16 * 1024  # the review form's text is at most 500 characters
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",  # figures and texts stay off shared caches and disk
}


@dataclass(frozen=True)
class Analytics:
    """What the console reads and writes through; tests give their own."""

    refresh: Callable[[Engine], Any]
    figures: Callable[[Engine, float, float, int], Dict[str, Any]]  # start, end, idle minutes
    open_items: Callable[[Engine], List[Dict[str, Any]]]
    decide: Callable[[Engine, int, str, Optional[str], Optional[str]], Dict[str, Any]]
    topic_ids: Callable[[], List[str]]


def project_analytics() -> Analytics:
    """The analytics tables in the tracker database: refresh.py, figures.py, review.py."""

    def figures_of(engine: Engine, start: float, end: float, idle: int) -> Dict[str, Any]:
        return figures.figures(engine, figures.Period(start, end), idle_minutes=idle)

    return Analytics(
        refresh=refresh.refresh,
        figures=figures_of,
        open_items=review.open_items,
        decide=review.decide,
        topic_ids=lambda: list(review.topic_ids()),
    )


@dataclass(frozen=True)
class Settings:
    password: str = field(repr=False)
    user: str = "team"
    idle_minutes: int = DEFAULT_IDLE_MINUTES
    secure_cookie: bool = False  # set when the console is served over HTTPS
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)


def create_app(engine: Engine, settings: Settings, analytics: Analytics) -> FastAPI:
    if not settings.password:
        raise ValueError("the console needs a password (TEAM_CONSOLE_PASSWORD)")
    app = FastAPI(title="Team console", openapi_url=None, docs_url=None, redoc_url=None)
    console = Console(engine, settings, analytics)
    app.add_exception_handler(HTTPException, console.http_error)
    app.add_exception_handler(RequestValidationError, console.not_found)
    app.add_exception_handler(SQLAlchemyError, console.database_error)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.get("/console.css", include_in_schema=False)(console.stylesheet)
    app.get("/login", response_class=HTMLResponse)(console.login_form)
    app.post("/login", response_class=HTMLResponse)(console.login)
    app.post("/logout")(console.logout)
    app.get("/", response_class=HTMLResponse)(console.figures)
    app.get("/review", response_class=HTMLResponse)(console.review)
    app.post("/review/{item_id}")(console.decide)
    return app


class Console:
    """The routes, over one engine, one set of settings and one login back-off."""

    def __init__(self, engine: Engine, settings: Settings, analytics: Analytics) -> None:
        self.engine, self.settings, self.analytics = engine, settings, analytics
        self.backoff = auth.LoginBackoff()
        self.refresh_lock = threading.Lock()  # one refresh at a time reads the new events

    # ---- sessions and responses ----

    def session(self, request: Request) -> Optional[Session]:
        return auth.decode(request.cookies.get(auth.COOKIE), self.settings.key)

    def csrf(self, session: Session) -> str:
        return auth.csrf_token(session, self.settings.key)

    def page(self, html: str, session: Optional[Session] = None, status: int = 200) -> Response:
        response = HTMLResponse(html, status_code=status)
        if session is not None:
            self.keep(response, session)
        return response

    def redirect(self, to: str, session: Optional[Session] = None) -> Response:
        response = RedirectResponse(to, status_code=303)
        if session is not None:
            self.keep(response, session)
        return response

    def keep(self, response: Response, session: Session) -> None:
        response.set_cookie(
            auth.COOKIE,
            auth.encode(session, self.settings.key),
            max_age=max(round(session.expires - time.time()), 0),
            path="/",
            secure=self.settings.secure_cookie,
            httponly=True,
            samesite="strict",
        )

    def refused(self, status: int, message: str, session: Optional[Session]) -> Response:
        user = session.user if session else None
        csrf = self.csrf(session) if session else ""
        return self.page(pages.error_page(status, message, user, csrf), status=status)

    # ---- errors ----

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        session = self.session(request)
        signed_in = session if session and session.signed_in else None
        return self.refused(exc.status_code, str(exc.detail), signed_in)

    async def not_found(self, request: Request, exc: RequestValidationError) -> Response:
        return await self.http_error(request, HTTPException(404, "No such page."))

    async def database_error(self, request: Request, exc: SQLAlchemyError) -> Response:
        log_event(log, "team_console_database_error", logging.ERROR, error=type(exc).__name__)
        return self.refused(503, "The tracker database is unavailable.", None)

    # ---- login ----

    async def stylesheet(self) -> Response:
        css = STYLESHEET.read_bytes()
        return Response(css, media_type="text/css", headers={"Cache-Control": "no-cache"})

    async def login_form(self, request: Request) -> Response:
        session = self.session(request)
        if session and session.signed_in:
            return self.redirect("/")
        session = session or auth.new_session()
        return self.page(pages.login_page(self.csrf(session)), session)

    async def login(self, request: Request) -> Response:
        form = await read_form(request)
        session = self.session(request)
        if not auth.csrf_ok(session, form.get(auth.CSRF_FIELD), self.settings.key):
            return self.login_again(403, "The form had expired: please log in again.")
        client = request.client.host if request.client else "unknown"
        wait = self.backoff.wait(client)
        if wait > 0:
            log_event(log, "team_console_login", logging.WARNING, outcome="backed_off")
            seconds = int(wait + 0.999)
            response = self.login_again(429, f"Too many wrong passwords: wait {seconds} s.")
            response.headers["Retry-After"] = str(seconds)
            return response
        user, password = form.get("user", "").strip(), form.get("password", "")
        if not auth.password_ok(user, password, self.settings.user, self.settings.password):
            self.backoff.failed(client)
            log_event(log, "team_console_login", logging.WARNING, outcome="wrong_password")
            return self.login_again(401, "Wrong user name or password.", user)
        self.backoff.succeeded(client)
        log_event(log, "team_console_login", outcome="ok")
        # a new session id at login: a token seen before it is worth nothing after
        return self.redirect("/", auth.new_session(self.settings.user))

    def login_again(self, status: int, message: str, user: str = "") -> Response:
        session = auth.new_session()
        return self.page(pages.login_page(self.csrf(session), message, user), session, status)

    async def logout(self, request: Request) -> Response:
        form = await read_form(request)
        session = self.session(request)
        if not auth.csrf_ok(session, form.get(auth.CSRF_FIELD), self.settings.key):
            return self.refused(403, "The form had expired: reload the page.", None)
        return self.redirect("/login", auth.new_session())

    # ---- pages ----

    async def figures(self, request: Request) -> Response:
        session = self.session(request)
        if not (session and session.signed_in):
            return self.redirect("/login")
        choice = periods.choose(request.query_params, periods.today_utc())
        start, end = choice.epoch_range()
        idle = self.settings.idle_minutes
        figures = await run_in_threadpool(self.read, self.analytics.figures, start, end, idle)
        html = pages.figures_page(figures, choice, session.user, self.csrf(session))
        return self.page(html)

    def read(self, reader: Callable[..., Any], *args: Any) -> Any:
        """Brings the analytics tables up to date, then reads them (in a worker thread)."""
        with self.refresh_lock:
            self.analytics.refresh(self.engine)
        return reader(self.engine, *args)

    async def review(self, request: Request) -> Response:
        session = self.session(request)
        if not (session and session.signed_in):
            return self.redirect("/login")
        items = await run_in_threadpool(self.read, self.analytics.open_items)
        topics = self.analytics.topic_ids()
        html = pages.review_page(items, topics, session.user, self.csrf(session), session.flash)
        # the last decision's message is shown once
        return self.page(html, auth.with_flash(session, None) if session.flash else None)

    async def decide(self, request: Request, item_id: int) -> Response:
        session = self.session(request)
        if not (session and session.signed_in):
            return self.refused(401, "Log in first.", None)
        form = await read_form(request)
        if not auth.csrf_ok(session, form.get(auth.CSRF_FIELD), self.settings.key):
            return self.refused(403, "The form had expired: reload the page.", session)
        flash = await run_in_threadpool(self.decision, item_id, form)
        return self.redirect("/review", auth.with_flash(session, flash))

    def decision(self, item_id: int, form: Dict[str, str]) -> Dict[str, Any]:
        """Checks the reviewer's choice, then records it: what happened, for the page."""
        decision = form.get("decision", "")
        topic = (form.get("topic") or None) if decision == "topic" else None
        text = " ".join(form.get("text", "").split())[:MAX_TEXT]
        if decision not in pages.DECISIONS:
            return {"error": "Choose one of the actions."}
        if decision == "topic" and topic not in self.analytics.topic_ids():
            return {"error": "Choose a topic from the list."}
        if decision != "discard" and not text:
            return {"error": "The text is empty: write the message or discard it."}
        try:
            result = self.analytics.decide(
                self.engine, item_id, decision, topic, text if decision != "discard" else None
            )
        except (KeyError, ValueError) as error:  # review.ReviewError: gone, or already decided
            return {"error": f"Not recorded: {error}"}
        except OSError as error:  # the file could not be written: the item stays open
            return {"error": f"Not recorded: the training-data file could not be written ({error})"}
        log_event(log, "team_console_decision", item=item_id, decision=decision, topic=topic)
        return {"decision": decision, "topic": topic, **_flash_fields(result)}


def _flash_fields(result: Dict[str, Any]) -> Dict[str, Any]:
    keep = {key: result.get(key) for key in ("status", "written", "refused")}
    return {**keep, "file": _shown_path(result.get("file"))}


def _shown_path(file: Optional[str]) -> Optional[str]:
    """The training-data file as the team knows it: relative to the project when inside."""
    if not file:
        return file
    path = Path(file).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


async def read_form(request: Request) -> Dict[str, str]:
    """An urlencoded form's fields (the first value of each; none for an empty body), read up
    to MAX_FORM_BYTES."""
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise HTTPException(413, "The form is too large.")
    except ClientDisconnect as gone:  # cut off by the request deadline, or the client left
        raise HTTPException(400, "The form did not arrive.") from gone
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "Send the page's form.")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError) as error:
        raise HTTPException(400, "The form could not be read.") from error
    return {name: values[0] for name, values in fields.items() if re.fullmatch(r"\w+", name)}
