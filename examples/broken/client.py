#!/usr/bin/env python3
"""A Flinks integration with two mistakes on purpose, to show what
`flinks-mock verify` reports when an integration breaks the guide's rules:

    flinks-mock verify --scenario mfa --scenario pending -- python3 examples/broken/client.py

It gets one authorize token and uses it for every /Authorize call (the MFA
answer call included), and it polls /GetAccountsDetailAsync again at once
instead of waiting 10 seconds. Everything else is as the guide says.
Compare with examples/python/client.py.
"""

import json
import os
import sys
import urllib.error
import urllib.request

ENV = os.environ
BASE = ENV.get("FLINKS_BASE_URL", "")
ANSWERS = json.loads(ENV.get("FLINKS_MFA_ANSWERS") or "{}")


def call(method, endpoint, headers, body):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{BASE}/BankingServices/{endpoint}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def main():
    _, t = call("POST", "GenerateAuthorizeToken", {"flinks-auth-key": ENV.get("FLINKS_SECRET_KEY", "")}, None)
    token = t["Token"]  # MISTAKE 1: kept and sent again; a token is single-use
    status, a = call("POST", "Authorize", {"flinks-auth-key": token},
                     {"LoginId": ENV.get("FLINKS_LOGIN_ID"), "MostRecentCached": ENV.get("FLINKS_MOST_RECENT_CACHED") != "false"})
    while status == 203:
        responses = {c["Prompt"]: ANSWERS.get(c["Prompt"], []) for c in a["SecurityChallenges"]}
        status, a = call("POST", "Authorize", {"flinks-auth-key": token}, {"RequestId": a["RequestId"], "SecurityResponses": responses})
    if status != 200:
        print(json.dumps({"error": {"kind": "flinks", "flinksCode": a.get("FlinksCode"), "message": a.get("Message")}}))
        return 1
    request_id = a["RequestId"]
    api_key = {"x-api-key": ENV.get("FLINKS_API_KEY", "")}
    status, a = call("POST", "GetAccountsDetail", api_key, {"RequestId": request_id})
    while status == 202:
        # MISTAKE 2: no wait of FLINKS_POLL_INTERVAL between polls.
        status, a = call("GET", f"GetAccountsDetailAsync/{request_id}", api_key, None)
    if status != 200:
        print(json.dumps({"error": {"kind": "flinks", "flinksCode": a.get("FlinksCode"), "message": a.get("Message")}}))
        return 1
    accounts = [{"id": x["Id"], "accountNumber": x["AccountNumber"], "balance": x["Balance"]["Current"]} for x in a["Accounts"]]
    print(json.dumps({"accounts": accounts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
