#!/usr/bin/env python3
"""A small Flinks integration in Python (standard library only), written the
way the Retrieve Account Data guide says, for `flinks-mock verify` to judge:

    flinks-mock verify -- python3 examples/python/client.py

It reads the connection from the FLINKS_* environment variables verify sets,
fetches the accounts of FLINKS_LOGIN_ID (token -> /Authorize -> MFA answers ->
/GetAccountsDetail -> /GetAccountsDetailAsync polls, or the webhook when
FLINKS_WEBHOOK_ADDR is set) and prints a JSON summary on stdout.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.request
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


def call(method, endpoint, headers, body, ok):
    """Sends one request; a status outside ok raises FlinksError."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{BASE}/BankingServices/{endpoint}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    answer = json.loads(raw)
    if status not in ok:
        raise FlinksError(endpoint, status, answer)
    answer["status"] = status
    return answer


def authorize(body):
    """Calls /Authorize with a fresh token (tokens are single-use), retrying
    RETRY_LATER and TOO_MANY_REQUESTS twice after a back-off."""
    attempt = 0
    while True:
        token = call("POST", "GenerateAuthorizeToken", {"flinks-auth-key": ENV.get("FLINKS_SECRET_KEY", "")}, None, [200])["Token"]
        try:
            return call("POST", "Authorize", {"flinks-auth-key": token}, body, [200, 203])
        except FlinksError as err:
            if err.code not in ("RETRY_LATER", "TOO_MANY_REQUESTS") or attempt >= 2:
                raise
        attempt += 1
        time.sleep(BACKOFF)


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
    start = {"LoginId": ENV.get("FLINKS_LOGIN_ID"), "MostRecentCached": ENV.get("FLINKS_MOST_RECENT_CACHED") != "false"}
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
    request_id = a["RequestId"]
    api_key = {"x-api-key": ENV.get("FLINKS_API_KEY", "")}
    a = call("POST", "GetAccountsDetail", api_key, {"RequestId": request_id, "WithAccountIdentity": True}, [200, 202])
    if a["status"] == 202 and hooks:
        a = hooks.wait(request_id, DEADLINE - time.monotonic())
    polled = False
    while a["status"] == 202:
        if polled:
            # The guide: wait 10 seconds between polls, and stop at the
            # 30-minute timeout; no poll is sent once it has passed. A poll
            # that would leave less than one interval before it is not sent
            # either: the network and a busy machine delay it.
            if time.monotonic() + 2 * POLL_INTERVAL >= DEADLINE:
                raise Timeout()
            time.sleep(POLL_INTERVAL)
            if time.monotonic() >= DEADLINE:
                raise Timeout()
        polled = True
        a = call("GET", f"GetAccountsDetailAsync/{request_id}", api_key, None, [200, 202])
    return [{"id": acc["Id"], "accountNumber": acc["AccountNumber"], "balance": acc["Balance"]["Current"]}
            for acc in a["Accounts"]]


def main():
    hooks = Webhooks(ENV["FLINKS_WEBHOOK_ADDR"]) if ENV.get("FLINKS_WEBHOOK_ADDR") else None
    try:
        print(json.dumps({"accounts": fetch_accounts(hooks)}))
        return 0
    except FlinksError as err:
        error = {"kind": "flinks", "flinksCode": err.code, "message": err.message}
    except Timeout:
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
