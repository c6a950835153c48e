// A small Flinks integration for Node.js 20 (plain fetch, no packages),
// written the way the Retrieve Account Data guide says, for
// `flinks-mock verify` to judge:
//
//   flinks-mock verify -- node examples/node/client.mjs
//
// It reads the connection from the FLINKS_* environment variables verify
// sets, fetches the accounts of FLINKS_LOGIN_ID (token → /Authorize → MFA
// answers → /GetAccountsDetail → /GetAccountsDetailAsync polls, or the
// webhook when FLINKS_WEBHOOK_ADDR is set), then, when asked, its PDF
// statements (FLINKS_STATEMENTS) and the deletion of the card
// (FLINKS_DELETE_CARD), and prints a JSON summary on stdout. Without a
// LoginId it links the login with FLINKS_USERNAME and FLINKS_PASSWORD and
// keeps its LoginId in FLINKS_LOGIN_STORE, for the next fetch. Every request has a timeout (FLINKS_REQUEST_TIMEOUT), and is sent
// again when it fires.
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { inflateSync } from "node:zlib";
import { setTimeout as sleep } from "node:timers/promises";

// waitAtLeast waits ms or a little more, never less: Node's timers count
// from the event loop's cached time and can fire a fraction of a
// millisecond early, which makes a 10-second wait 9.99 s on a scaled clock.
async function waitAtLeast(ms) {
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) await sleep(Math.ceil(left));
}

const env = process.env;
const base = env.FLINKS_BASE_URL;
const pollInterval = duration(env.FLINKS_POLL_INTERVAL, 10_000);
const timeout = duration(env.FLINKS_TIMEOUT, 30 * 60_000);
const backoff = duration(env.FLINKS_RETRY_BACKOFF, 10_000);
// A RequestId waits 8 minutes for the answers to its 203.
const mfaIdle = duration(env.FLINKS_MFA_IDLE_TIMEOUT, 8 * 60_000);
// How long the (simulated) user takes over the first question.
const userDelay = duration(env.FLINKS_USER_DELAY, 0);
const answers = JSON.parse(env.FLINKS_MFA_ANSWERS || "{}");
// How long to wait for one answer: Flinks answers within 210 s, or moves the
// request to the background (OPERATION_DISPATCHED).
const requestTimeout = duration(env.FLINKS_REQUEST_TIMEOUT, 4 * 60_000);
// Where the LoginId of a linked login is kept (a database, in production).
const loginStore = env.FLINKS_LOGIN_STORE;
// The timeout counts from the start: a fetch that spent a minute on MFA has
// 29 left to poll.
const deadline = Date.now() + timeout;

// duration reads "100ms", "18s", "30m" into milliseconds.
function duration(value, fallback) {
  if (!value) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`bad duration ${JSON.stringify(value)}: want a number and ms, s, m or h`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]];
}

class FlinksError extends Error {
  constructor(endpoint, status, body) {
    super(`/${endpoint} answered ${status} ${body.FlinksCode ?? ""}: ${body.Message ?? ""}`);
    this.flinksCode = body.FlinksCode;
    this.flinksMessage = body.Message;
  }
}

class TimeoutError extends Error {}

class RequestTimeoutError extends Error {}

// call sends one request; a status outside ok throws a FlinksError, no
// answer within requestTimeout a RequestTimeoutError.
async function call(method, endpoint, headers, body, ok) {
  try {
    const res = await fetch(`${base}/BankingServices/${endpoint}`, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(requestTimeout),
    });
    const json = await res.json();
    if (!ok.includes(res.status)) throw new FlinksError(endpoint, res.status, json);
    return { status: res.status, ...json };
  } catch (err) {
    if (err.name === "TimeoutError") throw new RequestTimeoutError(`/${endpoint} gave no answer within ${requestTimeout} ms`);
    throw err;
  }
}

// data calls a data endpoint, sending it again twice after a back-off when
// no answer came in time.
async function data(method, endpoint, body) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(method, endpoint, { "x-api-key": env.FLINKS_API_KEY }, body, [200, 202]);
    } catch (err) {
      if (!(err instanceof RequestTimeoutError) || attempt >= 2) throw err;
      await waitAtLeast(backoff);
    }
  }
}

// startBody is the first /Authorize: the LoginId (given, or kept by an
// earlier fetch) with cached data, or the credentials of a login not linked
// yet.
function startBody() {
  let loginId = env.FLINKS_LOGIN_ID;
  if (!loginId && loginStore && existsSync(loginStore)) loginId = readFileSync(loginStore, "utf8").trim();
  if (loginId) return { LoginId: loginId, MostRecentCached: env.FLINKS_MOST_RECENT_CACHED !== "false" };
  return { Username: env.FLINKS_USERNAME, Password: env.FLINKS_PASSWORD, Institution: env.FLINKS_INSTITUTION, Save: true };
}

// keepLogin keeps the LoginId Flinks gave (Login.Id) for the next fetch.
function keepLogin(...answers) {
  const loginId = answers.map((a) => a?.Login?.Id).find(Boolean);
  if (loginStore && loginId) writeFileSync(loginStore, loginId);
}

// authorize calls /Authorize with a fresh token (tokens are single-use),
// retrying RETRY_LATER, TOO_MANY_REQUESTS and a timeout twice after a
// back-off.
async function authorize(body) {
  for (let attempt = 0; ; attempt++) {
    const { Token } = await call("POST", "GenerateAuthorizeToken", { "flinks-auth-key": env.FLINKS_SECRET_KEY }, undefined, [200]);
    try {
      return await call("POST", "Authorize", { "flinks-auth-key": Token }, body, [200, 203]);
    } catch (err) {
      const again = err instanceof RequestTimeoutError || (err instanceof FlinksError && ["RETRY_LATER", "TOO_MANY_REQUESTS"].includes(err.flinksCode));
      if (!again || attempt >= 2) throw err;
      await waitAtLeast(backoff);
    }
  }
}

// signedBy reports whether a webhook's flinks-authenticity-key is the
// Base64 HMAC-SHA256 of its raw body under the secret.
function signedBy(secret, raw, signature) {
  const want = Buffer.from(createHmac("sha256", secret).update(raw).digest("base64"));
  const got = Buffer.from(signature ?? "");
  return want.length === got.length && timingSafeEqual(want, got);
}

// listen answers every webhook 200 at once and resolves the first
// GetAccountsDetail payload of each RequestId; with FLINKS_WEBHOOK_SECRET
// set, a webhook whose signature does not match is answered 401 and dropped.
function listen(addr) {
  const waiting = new Map();
  const payload = (id) => {
    if (!waiting.has(id)) {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      waiting.set(id, { promise, resolve });
    }
    return waiting.get(id);
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      if (env.FLINKS_WEBHOOK_SECRET && !signedBy(env.FLINKS_WEBHOOK_SECRET, raw, req.headers["flinks-authenticity-key"])) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200).end();
      try {
        const body = JSON.parse(raw);
        if (body.RequestId) payload(body.RequestId).resolve({ status: 200, ...body });
      } catch {
        // not JSON: answered 200 all the same, a resend would not change it
      }
    });
  });
  const [host, port] = [addr.slice(0, addr.lastIndexOf(":")), Number(addr.slice(addr.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve({ data: (id) => payload(id).promise, server }));
  });
}

// untilReady polls an Async endpoint while its data request answers 202.
async function untilReady(a, path, deadline) {
  for (let polled = false; a.status === 202; polled = true) {
    if (polled) {
      // The guide: wait 10 seconds between polls, and stop at the
      // 30-minute timeout; no poll is sent once it has passed. A poll that
      // would leave less than one interval before it is not sent either:
      // the network and a busy machine delay it.
      if (Date.now() + 2 * pollInterval >= deadline) throw new TimeoutError();
      await waitAtLeast(pollInterval);
      if (Date.now() >= deadline) throw new TimeoutError();
    }
    a = await data("GET", path, undefined);
  }
  return a;
}

// readStatement reads the account number and the period a PDF statement
// prints, from the text of its pages (compressed streams inflated): each
// label is followed by its value.
function readStatement(base64) {
  const raw = Buffer.from(base64, "base64");
  if (raw.subarray(0, 5).toString("latin1") !== "%PDF-") throw new Error("a statement is not a PDF file");
  const texts = [];
  for (const [, stream] of raw.toString("latin1").matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content = stream;
    try {
      content = inflateSync(Buffer.from(stream, "latin1")).toString("latin1");
    } catch {
      // not compressed
    }
    for (const [, text] of content.matchAll(/\(((?:\\.|[^\\)])*)\)\s*Tj/g)) texts.push(text.replace(/\\(.)/g, "$1"));
  }
  if (!texts.includes("Account number") || !texts.includes("Period")) throw new Error("a statement prints no account number or period");
  const after = (label) => texts[texts.indexOf(label) + 1];
  return { accountNumber: after("Account number"), period: after("Period") };
}

// afterData does what FLINKS_STATEMENTS and FLINKS_DELETE_CARD ask once
// the accounts are in: fetch and read the PDF statements of the same
// RequestId, then delete the card (no session of it is being processed any
// more, so Flinks does not answer CARD_IN_USE).
async function afterData(requestId, out) {
  if (env.FLINKS_STATEMENTS) {
    let a = await data("POST", "GetStatements", { RequestId: requestId, NumberOfStatements: env.FLINKS_STATEMENTS });
    // The same 202 → Async → 200 steps, with a deadline of their own.
    a = await untilReady(a, `GetStatementsAsync/${requestId}`, Date.now() + timeout);
    out.statements = a.StatementsByAccount.flatMap((acc) =>
      acc.Statements.map((st) => ({ ...readStatement(st.Base64Bytes), uniqueId: st.UniqueId })),
    );
  }
  if (env.FLINKS_DELETE_CARD === "true") {
    await call("DELETE", `DeleteCard/${env.FLINKS_LOGIN_ID}`, { "x-api-key": env.FLINKS_API_KEY }, undefined, [200]);
    out.deletedCard = env.FLINKS_LOGIN_ID;
  }
  return out;
}

async function fetchAccounts() {
  const hooks = env.FLINKS_WEBHOOK_ADDR ? await listen(env.FLINKS_WEBHOOK_ADDR) : null;
  try {
    const start = startBody();
    let a = await authorize(start);
    for (let restarted = false; a.status === 203; ) {
      const asked = Date.now();
      if (userDelay > 0 && !restarted) await sleep(userDelay); // the user, thinking
      if (Date.now() - asked >= mfaIdle && !restarted) {
        // The RequestId expired while the user answered: start over, and
        // answer the new 203.
        restarted = true;
        a = await authorize(start);
        continue;
      }
      const responses = {};
      for (const { Prompt } of a.SecurityChallenges) {
        if (!(Prompt in answers)) throw new Error(`no answer for the security question ${JSON.stringify(Prompt)}`);
        responses[Prompt] = answers[Prompt];
      }
      a = await authorize({ RequestId: a.RequestId, SecurityResponses: responses });
    }
    const authorized = a;
    const requestId = a.RequestId;
    a = await data("POST", "GetAccountsDetail", { RequestId: requestId, WithAccountIdentity: true });
    if (a.status === 202 && hooks) {
      // An unref'd timer: once the webhook came, it must not keep the
      // program alive until the deadline.
      const timeUp = sleep(deadline - Date.now(), undefined, { ref: false }).then(() => { throw new TimeoutError(); });
      a = await Promise.race([hooks.data(requestId), timeUp]);
    }
    a = await untilReady(a, `GetAccountsDetailAsync/${requestId}`, deadline);
    keepLogin(authorized, a);
    const accounts = a.Accounts.map((acc) => ({ id: acc.Id, accountNumber: acc.AccountNumber, balance: acc.Balance.Current }));
    return { requestId, accounts };
  } finally {
    if (hooks) {
      // Keep answering a moment: a duplicate send must get its 200 too, and
      // on a busy machine it may come a little later.
      await sleep(Math.max(pollInterval, 2000));
      hooks.server.close();
    }
  }
}

try {
  const { requestId, accounts } = await fetchAccounts();
  console.log(JSON.stringify(await afterData(requestId, { accounts })));
} catch (err) {
  console.error(`flinks-example: ${err.message}`);
  const error =
    err instanceof FlinksError ? { kind: "flinks", flinksCode: err.flinksCode, message: err.flinksMessage }
    : err instanceof TimeoutError || err instanceof RequestTimeoutError ? { kind: "timeout" }
    : { kind: "other", message: err.message };
  console.log(JSON.stringify({ error }));
  process.exitCode = 1;
}
