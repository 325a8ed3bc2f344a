"""A dashboard session driven at the websocket level, as Streamlit's own front end drives it.

One `WsSession` is one browser tab without the browser: it opens `/_stcore/stream`, asks for script
runs with `BackMsg.rerun_script` (the page's script hash, the widget states, the browser's locale) and
reads `ForwardMsg`s until the run has finished (a run that ends early for a rerun, as a login does,
is followed to the end of the next one). Nothing is drawn, so thirty sessions cost the machine only
what they cost the app. Used by bench_load.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


@dataclass
class Run:
    """What one script run sent: seconds from request to its end, elements, widget ids, errors."""

    seconds: float
    elements: int = 0
    widgets: dict[str, str] = field(default_factory=dict)  # widget key (the id's tail) -> full id
    errors: list[str] = field(default_factory=list)  # exception boxes and error alerts


class WsSession:
    """One websocket session of the app at base (http://host:port), in locale (e.g. "zh-CN")."""

    def __init__(self, base: str, locale: str = "en-GB", timeout: float = 120.0) -> None:
        self.timeout = timeout
        self.locale = locale
        self.pages: dict[str, str] = {}  # page title -> script hash, from the last navigation message
        self.page = ""  # script hash of the page shown
        self.ws: ClientConnection = connect(
            base.replace("http", "ws", 1) + "/_stcore/stream", max_size=None, open_timeout=timeout
        )

    def close(self) -> None:
        """Close the websocket (the server ends the session)."""
        self.ws.close()

    def run(self, page: str | None = None, strings: dict[str, str] | None = None, trigger: str = "") -> Run:
        """Ask for a run of page (default: the one shown) with these text widgets set and a button pressed."""
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = self.page if page is None else page
        back.rerun_script.context_info.locale = self.locale
        for widget_id, value in (strings or {}).items():
            state = back.rerun_script.widget_states.widgets.add()
            state.id, state.string_value = widget_id, value
        if trigger:
            state = back.rerun_script.widget_states.widgets.add()
            state.id, state.trigger_value = trigger, True
        started = time.monotonic()
        self.ws.send(back.SerializeToString())
        return self._read(started)

    def _read(self, started: float) -> Run:
        """Read until a run has finished (not one that stopped early for a rerun)."""
        run = Run(0.0)
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(self.ws.recv(timeout=self.timeout))
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, run)
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                self.page = msg.navigation.page_script_hash
            elif kind == "script_finished" and msg.script_finished == EARLY_FOR_RERUN:
                run.widgets.clear()  # only what the final run draws counts (the login form goes away)
                run.elements = 0
            elif kind == "script_finished":
                run.seconds = time.monotonic() - started
                return run

    @staticmethod
    def _element(element, run: Run) -> None:
        """Count an element; note its widget id and any exception box or error alert."""
        run.elements += 1
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        widget_id = getattr(body, "id", "")
        if widget_id:
            run.widgets[widget_id.split("-", 2)[-1]] = widget_id
        if kind == "exception":
            run.errors.append(f"exception: {body.type}: {body.message[:120]}")
        elif kind == "alert" and body.format == Alert.Format.ERROR:
            run.errors.append(f"error box: {body.body[:120]}")

    def login(self, username: str, password: str) -> Run:
        """Open the app, fill the login form and submit it; the run that follows the submit."""
        form = self.run(page="")
        if "login_username" not in form.widgets:
            raise RuntimeError("no login form")
        fields = {form.widgets["login_username"]: username, form.widgets["login_password"]: password}
        submit = next(v for k, v in form.widgets.items() if k.startswith("FormSubmitter:login"))
        done = self.run(strings=fields, trigger=submit)
        if "login_username" in done.widgets:
            done.errors.append(f"login refused for {username}")
        return done
