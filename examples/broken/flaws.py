#!/usr/bin/env python3
"""The Python example (examples/python/client.py) with one flaw on purpose,
named by the first argument, to show that `flinks-mock verify` fails exactly
the rule it breaks:

    flinks-mock verify --scenario pending -- python3 examples/broken/flaws.py poll-fast

The flaws are those of the Go clients in contract/broken, one per rule:
reuse-token (FM001), partial-mfa (FM002), data-before-mfa (FM003),
new-request-per-poll (FM004), poll-fast (FM005), no-timeout (FM006),
retry-final-errors (FM007), no-backoff (FM008), no-api-key (FM009),
webhook-not-200 (FM010), stop-at-202 (FM011), reanswer-mfa (FM012),
no-signature-check (FM013), late-mfa-answer (FM014), delete-card-in-use
(FM015), no-request-timeout (FM016), credentials-again (FM017); and
trust-optional-fields, which breaks no rule but crashes in the varied-shapes
scenario. Each
patches the example before it runs; the example itself stays as the guide
says.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("client", os.path.join(HERE, "..", "python", "client.py"))
client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(client)

call, authorize = client.call, client.authorize
ENV = os.environ
CACHED = ENV.get("FLINKS_MOST_RECENT_CACHED") != "false"
first_token = []


def reuse_token(method, endpoint, headers, body, ok):
    if endpoint == "GenerateAuthorizeToken" and first_token:
        return {"status": 200, "Token": first_token[0]}  # the token of the first call, again
    answer = call(method, endpoint, headers, body, ok)
    if endpoint == "GenerateAuthorizeToken":
        first_token.append(answer["Token"])
    return answer


def partial_mfa(body):
    responses = body.get("SecurityResponses") or {}
    if len(responses) > 1:
        first = next(iter(responses))
        body = {**body, "SecurityResponses": {first: responses[first]}}  # the other prompts left out
    return authorize(body)


def data_before_mfa(body):
    a = authorize(body)
    if a["status"] == 203:
        try:  # the data, asked for before the MFA is answered
            call("POST", "GetAccountsDetail", {"x-api-key": ENV.get("FLINKS_API_KEY", "")}, {"RequestId": a["RequestId"]}, [200, 202])
        except client.FlinksError:
            pass
    return a


def new_request_per_poll(method, endpoint, headers, body, ok):
    if endpoint.startswith("GetAccountsDetailAsync/"):
        # A fresh /Authorize and GetAccountsDetail instead of the poll.
        a = authorize({"LoginId": ENV.get("FLINKS_LOGIN_ID"), "MostRecentCached": CACHED})
        return call("POST", "GetAccountsDetail", headers, {"RequestId": a["RequestId"]}, ok)
    return call(method, endpoint, headers, body, ok)


def retry_final_errors(body):
    try:
        return authorize(body)
    except client.FlinksError:
        return authorize(body)  # whatever the code: DISABLED_LOGIN too


def reanswer_mfa(body):
    try:
        return authorize(body)
    except client.FlinksError as err:
        if err.code != "INVALID_SECURITY_RESPONSE":
            raise
        return authorize(body)  # the same answers again, without the user


def delete_card_in_use(body):
    a = authorize(body)
    if a["status"] == 200:
        try:  # the card deleted before the data: CARD_IN_USE
            call("DELETE", f"DeleteCard/{ENV.get('FLINKS_LOGIN_ID')}", {"x-api-key": ENV.get("FLINKS_API_KEY", "")}, None, [200])
        except client.FlinksError:
            pass
    return a


def no_api_key(method, endpoint, headers, body, ok):
    return call(method, endpoint, {k: v for k, v in headers.items() if k != "x-api-key"}, body, ok)


def stop_at_202(method, endpoint, headers, body, ok):
    answer = call(method, endpoint, headers, body, ok)
    if endpoint == "GetAccountsDetail" and answer["status"] == 202:
        return {"status": 200, "Accounts": []}  # "still processing" read as "no accounts"
    return answer


def trust_optional_fields(method, endpoint, headers, body, ok):
    answer = call(method, endpoint, headers, body, ok)
    if endpoint.startswith("GetAccountsDetail") and answer["status"] == 200:
        # Fields Flinks may leave out or send as null, read as if always
        # there: a KeyError or TypeError on the first one missing (the
        # varied-shapes scenario).
        seen = [answer["Login"]["Username"]]
        for acc in answer["Accounts"]:
            seen += [acc["Holder"]["Name"].strip(), acc["Holder"]["Address"]["City"].strip(), round(acc["Balance"]["Current"], 2)]
    return answer


def webhook_not_200():
    send_response = client.BaseHTTPRequestHandler.send_response

    def no_content(self, code, message=None):
        send_response(self, 204 if code == 200 else code, message)

    client.BaseHTTPRequestHandler.send_response = no_content


def main(flaw):
    if flaw == "reuse-token":
        client.call = reuse_token
    elif flaw == "partial-mfa":
        client.authorize = partial_mfa
    elif flaw == "data-before-mfa":
        client.authorize = data_before_mfa
    elif flaw == "new-request-per-poll":
        client.call = new_request_per_poll
    elif flaw == "poll-fast":
        client.POLL_INTERVAL = 0  # polls again at once
    elif flaw == "no-timeout":
        client.DEADLINE = float("inf")
    elif flaw == "retry-final-errors":
        client.authorize = retry_final_errors
    elif flaw == "no-backoff":
        client.BACKOFF = 0
    elif flaw == "no-api-key":
        client.call = no_api_key
    elif flaw == "webhook-not-200":
        webhook_not_200()
    elif flaw == "stop-at-202":
        client.call = stop_at_202
    elif flaw == "reanswer-mfa":
        client.authorize = reanswer_mfa
    elif flaw == "late-mfa-answer":
        client.MFA_IDLE = float("inf")  # answers however long the user took
    elif flaw == "delete-card-in-use":
        client.authorize = delete_card_in_use
    elif flaw == "no-request-timeout":
        client.REQUEST_TIMEOUT = None  # waits for every answer as long as it takes
    elif flaw == "credentials-again":
        client.LOGIN_STORE = None  # the LoginId is never kept: the credentials every time
    elif flaw == "trust-optional-fields":
        client.call = trust_optional_fields
    elif flaw == "no-signature-check":
        client.signed_by = lambda secret, raw, signature: True  # every webhook taken
    else:
        print(f"flaws.py: unknown flaw {flaw!r}", file=sys.stderr)
        return 2
    return client.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
