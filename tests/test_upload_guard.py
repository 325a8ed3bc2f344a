"""Anonymous uploads are refused (issue 14), tested at the websocket/HTTP level against a real server:
a client that opens a session but never logs in PUTs a file to /_stcore/upload_file/<session>/<id>
(with a valid XSRF cookie and header) and gets 403; nothing is kept in the server's memory."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from apptest_helpers import build_tiny_store
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string
from streamlit_server import free_port, serve_process
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`streamlit run app.py` on the tiny store; yields its base URL and process id."""
    db = build_tiny_store(tmp_path_factory.mktemp("store") / "tiny.duckdb")
    env = {**os.environ, "LENDRISK_DB": str(db), "LENDRISK_SECRET": "test-secret"}
    with serve_process(ROOT, env, free_port(), None) as (base, proc):
        yield base, proc.pid


@contextmanager
def anonymous_session(base: str) -> Iterator[tuple[str, str]]:
    """(session id, xsrf cookie value) of a websocket session that runs the app and never logs in; the
    session stays open (active on the server) until the with-block ends."""
    cookie = generate_xsrf_token_string()  # double-submit: any client can make a matching pair
    url = base.replace("http", "ws") + "/_stcore/stream"
    with connect(url, additional_headers={"Cookie": f"_streamlit_xsrf={cookie}"}) as ws:
        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        ws.send(back.SerializeToString())
        session = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the login page has been drawn (the run finished)
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=60))
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                session = msg.new_session.initialize.session_id
            elif kind == "script_finished" and session:
                yield session, cookie
                return
        raise AssertionError("no session started")


def put(base: str, session: str, cookie: str, size: int) -> int:
    """PUT one multipart file of size bytes as the uploader would; the HTTP status."""
    boundary = "lendriskboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="loans.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/_stcore/upload_file/{session}/file-1",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": cookie,
            "Cookie": f"_streamlit_xsrf={cookie}",
        },
    )
    try:
        return urllib.request.urlopen(request, timeout=30).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_an_anonymous_session_cannot_upload(server) -> None:
    base, _ = server
    with anonymous_session(base) as (session, cookie):
        assert put(base, session, cookie, 1_000_000) == 403
        assert put(base, "no-such-session", cookie, 10) == 400  # Streamlit's own check, unchanged
