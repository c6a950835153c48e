#!/usr/bin/env python3
"""A small Flinks integration in Python (standard library only), written the
way the Retrieve Account Data guide says, for `flinks-mock verify` to judge:

    flinks-mock verify -- python3 examples/python/client.py

It reads the connection from the FLINKS_* environment variables verify sets,
fetches the accounts of FLINKS_LOGIN_ID (token -> /Authorize -> MFA answers ->
/GetAccountsDetail -> /GetAccountsDetailAsync polls, or the webhook when
FLINKS_WEBHOOK_ADDR is set), then, when asked, its PDF statements
(FLINKS_STATEMENTS) and the deletion of the card (FLINKS_DELETE_CARD), and
prints a JSON summary on stdout. Without a LoginId it links the login with
FLINKS_USERNAME and FLINKS_PASSWORD and keeps its LoginId in
FLINKS_LOGIN_STORE, for the next fetch. Every request has a timeout
(FLINKS_REQUEST_TIMEOUT), and is sent again when it fires.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENV = os.environ
BASE = ENV.get("FLINKS_BASE_URL", "")


def duration(name, default):
    """Reads "100ms", "18s", "30m" from the environment, in seconds."""
    value = ENV.get(name)
    if not value:
        return default
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", value)
    if not m:
        raise ValueError(f"{name}={value!r}: want a number and ms, s, m or h")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]


POLL_INTERVAL = duration("FLINKS_POLL_INTERVAL", 10)
TIMEOUT = duration("FLINKS_TIMEOUT", 30 * 60)
BACKOFF = duration("FLINKS_RETRY_BACKOFF", 10)
# A RequestId waits 8 minutes for the answers to its 203.
MFA_IDLE = duration("FLINKS_MFA_IDLE_TIMEOUT", 8 * 60)
# How long the (simulated) user takes over the first question.
USER_DELAY = duration("FLINKS_USER_DELAY", 0)
ANSWERS = json.loads(ENV.get("FLINKS_MFA_ANSWERS") or "{}")
# How long to wait for one answer: Flinks answers within 210 s, or moves the
# request to the background (OPERATION_DISPATCHED).
REQUEST_TIMEOUT = duration("FLINKS_REQUEST_TIMEOUT", 4 * 60)
# Where the LoginId of a linked login is kept (a database, in production).
LOGIN_STORE = ENV.get("FLINKS_LOGIN_STORE")
# The timeout counts from the start: a fetch that spent a minute on MFA has
# 29 left to poll.
DEADLINE = time.monotonic() + TIMEOUT


class FlinksError(Exception):
    """An answer of Flinks that is neither data nor "pending"."""

    def __init__(self, endpoint, status, body):
        super().__init__(f"/{endpoint} answered {status} {body.get('FlinksCode')}: {body.get('Message')}")
        self.code = body.get("FlinksCode")
        self.message = body.get("Message")


class Timeout(Exception):
    """The data was not ready within the timeout."""


class RequestTimeout(Exception):
    """No answer came within REQUEST_TIMEOUT."""

    def __init__(self, endpoint):
        super().__init__(f"/{endpoint} gave no answer within {REQUEST_TIMEOUT} s")


def timed_out(err):
    return isinstance(err, (TimeoutError, socket.timeout)) or isinstance(getattr(err, "reason", None), (TimeoutError, socket.timeout))


def call(method, endpoint, headers, body, ok):
    """Sends one request; a status outside ok raises FlinksError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{BASE}/BankingServices/{endpoint}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    except OSError as err:  # URLError too
        if timed_out(err):
            raise RequestTimeout(endpoint) from err
        raise
    answer = json.loads(raw)
    if status not in ok:
        raise FlinksError(endpoint, status, answer)
    answer["status"] = status
    return answer


def authorize(body):
    """Calls /Authorize with a fresh token (tokens are single-use), retrying
    RETRY_LATER, TOO_MANY_REQUESTS and a timeout twice after a back-off."""
    attempt = 0
    while True:
        token = call("POST", "GenerateAuthorizeToken", {"flinks-auth-key": ENV.get("FLINKS_SECRET_KEY", "")}, None, [200])["Token"]
        try:
            return call("POST", "Authorize", {"flinks-auth-key": token}, body, [200, 203])
        except (FlinksError, RequestTimeout) as err:
            again = isinstance(err, RequestTimeout) or err.code in ("RETRY_LATER", "TOO_MANY_REQUESTS")
            if not again or attempt >= 2:
                raise
        attempt += 1
        time.sleep(BACKOFF)


def data(method, endpoint, body):
    """Calls a data endpoint, sending it again twice after a back-off when no
    answer came in time."""
    for attempt in range(3):
        try:
            return call(method, endpoint, {"x-api-key": ENV.get("FLINKS_API_KEY", "")}, body, [200, 202])
        except RequestTimeout:
            if attempt == 2:
                raise
            time.sleep(BACKOFF)


def start_body():
    """The first /Authorize: the LoginId (given, or kept by an earlier fetch)
    with cached data, or the credentials of a login not linked yet."""
    login_id = ENV.get("FLINKS_LOGIN_ID")
    if not login_id and LOGIN_STORE and os.path.exists(LOGIN_STORE):
        with open(LOGIN_STORE) as f:
            login_id = f.read().strip()
    if login_id:
        return {"LoginId": login_id, "MostRecentCached": ENV.get("FLINKS_MOST_RECENT_CACHED") != "false"}
    return {"Username": ENV.get("FLINKS_USERNAME"), "Password": ENV.get("FLINKS_PASSWORD"),
            "Institution": ENV.get("FLINKS_INSTITUTION"), "Save": True}


def keep_login(*answers):
    """Keeps the LoginId Flinks gave (Login.Id) for the next fetch."""
    for a in answers:
        login_id = (a.get("Login") or {}).get("Id")
        if LOGIN_STORE and login_id:
            with open(LOGIN_STORE, "w") as f:
                f.write(login_id)
            return


def signed_by(secret, raw, signature):
    """Whether a webhook's flinks-authenticity-key is the Base64 HMAC-SHA256
    of its raw body under the secret."""
    want = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(want, signature or "")


class Webhooks:
    """Answers every webhook 200 at once and keeps the first payload of each
    RequestId; with FLINKS_WEBHOOK_SECRET set, a webhook whose signature does
    not match is answered 401 and dropped."""

    def __init__(self, addr):
        self.payloads, self.arrived = {}, threading.Condition()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                secret = ENV.get("FLINKS_WEBHOOK_SECRET")
                if secret and not signed_by(secret, raw, self.headers.get("flinks-authenticity-key")):
                    self.send_response(401)
                    self.end_headers()
                    return
                self.send_response(200)
                self.end_headers()
                try:
                    body = json.loads(raw)
                except ValueError:
                    return  # answered 200 all the same: a resend would not change it
                with hooks.arrived:
                    hooks.payloads.setdefault(body.get("RequestId"), body)
                    hooks.arrived.notify_all()

            def log_message(self, *args):
                pass

        host, _, port = addr.rpartition(":")
        self.server = ThreadingHTTPServer((host, int(port)), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, request_id, timeout):
        with self.arrived:
            if not self.arrived.wait_for(lambda: request_id in self.payloads, timeout):
                raise Timeout()
            return {"status": 200, **self.payloads[request_id]}

    def close(self):
        # Keep answering a moment: a duplicate send must get its 200 too, and
        # on a busy machine it may come a little later.
        time.sleep(max(POLL_INTERVAL, 2.0))
        self.server.shutdown()


def fetch_accounts(hooks):
    start = start_body()
    a = authorize(start)
    restarted = False
    while a["status"] == 203:
        asked = time.monotonic()
        if USER_DELAY > 0 and not restarted:
            time.sleep(USER_DELAY)  # the user, thinking
        if time.monotonic() - asked >= MFA_IDLE and not restarted:
            # The RequestId expired while the user answered: start over, and
            # answer the new 203.
            restarted = True
            a = authorize(start)
            continue
        responses = {}
        for challenge in a["SecurityChallenges"]:
            prompt = challenge["Prompt"]
            if prompt not in ANSWERS:
                raise RuntimeError(f"no answer for the security question {prompt!r}")
            responses[prompt] = ANSWERS[prompt]
        a = authorize({"RequestId": a["RequestId"], "SecurityResponses": responses})
    authorized, request_id = a, a["RequestId"]
    a = data("POST", "GetAccountsDetail", {"RequestId": request_id, "WithAccountIdentity": True})
    if a["status"] == 202 and hooks:
        a = hooks.wait(request_id, DEADLINE - time.monotonic())
    a = until_ready(a, f"GetAccountsDetailAsync/{request_id}", DEADLINE)
    keep_login(authorized, a)
    return request_id, [{"id": acc["Id"], "accountNumber": acc["AccountNumber"], "balance": acc["Balance"]["Current"]}
                        for acc in a["Accounts"]]


def until_ready(a, path, deadline):
    """Polls an Async endpoint while its data request answers 202."""
    polled = False
    while a["status"] == 202:
        if polled:
            # The guide: wait 10 seconds between polls, and stop at the
            # 30-minute timeout; no poll is sent once it has passed. A poll
            # that would leave less than one interval before it is not sent
            # either: the network and a busy machine delay it.
            if time.monotonic() + 2 * POLL_INTERVAL >= deadline:
                raise Timeout()
            time.sleep(POLL_INTERVAL)
            if time.monotonic() >= deadline:
                raise Timeout()
        polled = True
        a = data("GET", path, None)
    return a


def read_statement(b64):
    """Reads the account number and the period a PDF statement prints, from
    the text of its pages (compressed streams inflated): each label is
    followed by its value."""
    raw = base64.b64decode(b64)
    if not raw.startswith(b"%PDF-"):
        raise RuntimeError("a statement is not a PDF file")
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            stream = zlib.decompress(stream)
        except zlib.error:
            pass  # not compressed
        for text in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream):
            texts.append(re.sub(rb"\\(.)", rb"\1", text).decode("latin-1"))
    if "Account number" not in texts or "Period" not in texts:
        raise RuntimeError("a statement prints no account number or period")
    after = lambda label: texts[texts.index(label) + 1]
    return {"accountNumber": after("Account number"), "period": after("Period")}


def after_data(request_id, out):
    """Does what FLINKS_STATEMENTS and FLINKS_DELETE_CARD ask once the accounts
    are in: fetch and read the PDF statements of the same RequestId, then
    delete the card (no session of it is being processed any more, so Flinks
    does not answer CARD_IN_USE)."""
    if ENV.get("FLINKS_STATEMENTS"):
        a = data("POST", "GetStatements", {"RequestId": request_id, "NumberOfStatements": ENV["FLINKS_STATEMENTS"]})
        # The same 202 -> Async -> 200 steps, with a deadline of their own.
        a = until_ready(a, f"GetStatementsAsync/{request_id}", time.monotonic() + TIMEOUT)
        out["statements"] = [{**read_statement(st["Base64Bytes"]), "uniqueId": st["UniqueId"]}
                             for acc in a["StatementsByAccount"] for st in acc["Statements"]]
    if ENV.get("FLINKS_DELETE_CARD") == "true":
        call("DELETE", f"DeleteCard/{ENV.get('FLINKS_LOGIN_ID')}", {"x-api-key": ENV.get("FLINKS_API_KEY", "")}, None, [200])
        out["deletedCard"] = ENV.get("FLINKS_LOGIN_ID")
    return out


def main():
    hooks = Webhooks(ENV["FLINKS_WEBHOOK_ADDR"]) if ENV.get("FLINKS_WEBHOOK_ADDR") else None
    try:
        request_id, accounts = fetch_accounts(hooks)
        print(json.dumps(after_data(request_id, {"accounts": accounts})))
        return 0
    except FlinksError as err:
        error = {"kind": "flinks", "flinksCode": err.code, "message": err.message}
    except (Timeout, RequestTimeout):
        error = {"kind": "timeout"}
    except Exception as err:  # anything else is reported, not hidden
        error = {"kind": "other", "message": str(err)}
    finally:
        if hooks:
            hooks.close()
    print(f"flinks-example: {error}", file=sys.stderr)
    print(json.dumps({"error": error}))
    return 1


if __name__ == "__main__":
    sys.exit(main())
