// The Node.js example (examples/node/client.mjs) with one flaw on purpose,
// named by the first argument, to show that `flinks-mock verify` fails
// exactly the rule it breaks:
//
//   flinks-mock verify --scenario pending -- node examples/broken/flaws.mjs poll-fast
//
// The flaws are those of the Go clients in contract/broken, one per rule:
// reuse-token (FM001), partial-mfa (FM002), data-before-mfa (FM003),
// new-request-per-poll (FM004), poll-fast (FM005), no-timeout (FM006),
// retry-final-errors (FM007), no-backoff (FM008), no-api-key (FM009),
// webhook-not-200 (FM010), stop-at-202 (FM011), reanswer-mfa (FM012),
// no-signature-check (FM013), late-mfa-answer (FM014), delete-card-in-use
// (FM015), no-request-timeout (FM016), credentials-again (FM017); and
// trust-optional-fields, which breaks no rule but crashes in the
// varied-shapes scenario. Each bends the example's requests, clock or
// server before it runs; the example stays as the guide says.
import http from "node:http";

const env = process.env;
const flaw = process.argv[2] ?? "";
const realFetch = globalThis.fetch;
const json = (status, body) => new Response(JSON.stringify({ HttpStatusCode: status, ...body }), { status, headers: { "Content-Type": "application/json" } });
const endpointOf = (url) => String(url).split("/BankingServices/")[1] ?? "";
const authorizeFresh = async (body) => {
  const t = await (await realFetch(`${env.FLINKS_BASE_URL}/BankingServices/GenerateAuthorizeToken`, { method: "POST", headers: { "flinks-auth-key": env.FLINKS_SECRET_KEY } })).json();
  return realFetch(`${env.FLINKS_BASE_URL}/BankingServices/Authorize`, { method: "POST", headers: { "Content-Type": "application/json", "flinks-auth-key": t.Token }, body: JSON.stringify(body) });
};

// fetch, bent by the flaw: what the example sends and what it reads.
let firstToken;
let deletedEarly = false;
const flaws = {
  "reuse-token": async (url, init) => {
    if (endpointOf(url) === "GenerateAuthorizeToken" && firstToken) return json(200, { Token: firstToken }); // the first token, again
    const res = await realFetch(url, init);
    if (endpointOf(url) === "GenerateAuthorizeToken") firstToken = (await res.clone().json()).Token;
    return res;
  },
  "partial-mfa": (url, init) => {
    const body = init.body && JSON.parse(init.body);
    if (endpointOf(url) === "Authorize" && body?.SecurityResponses && Object.keys(body.SecurityResponses).length > 1) {
      const [first] = Object.keys(body.SecurityResponses); // the other prompts left out
      init = { ...init, body: JSON.stringify({ ...body, SecurityResponses: { [first]: body.SecurityResponses[first] } }) };
    }
    return realFetch(url, init);
  },
  "data-before-mfa": async (url, init) => {
    const res = await realFetch(url, init);
    if (endpointOf(url) === "Authorize" && res.status === 203) {
      const { RequestId } = await res.clone().json(); // the data, asked for before the MFA is answered
      await realFetch(`${env.FLINKS_BASE_URL}/BankingServices/GetAccountsDetail`, { method: "POST", headers: { "Content-Type": "application/json", "x-api-key": env.FLINKS_API_KEY }, body: JSON.stringify({ RequestId }) });
    }
    return res;
  },
  "new-request-per-poll": async (url, init) => {
    if (!endpointOf(url).startsWith("GetAccountsDetailAsync/")) return realFetch(url, init);
    // A fresh /Authorize and GetAccountsDetail instead of the poll.
    const a = await (await authorizeFresh({ LoginId: env.FLINKS_LOGIN_ID, MostRecentCached: env.FLINKS_MOST_RECENT_CACHED !== "false" })).json();
    return realFetch(`${env.FLINKS_BASE_URL}/BankingServices/GetAccountsDetail`, { method: "POST", headers: { ...init.headers, "Content-Type": "application/json" }, body: JSON.stringify({ RequestId: a.RequestId }) });
  },
  "retry-final-errors": async (url, init) => {
    const res = await realFetch(url, init);
    if (endpointOf(url) !== "Authorize" || res.status < 400) return res;
    return authorizeFresh(JSON.parse(init.body)); // whatever the code: DISABLED_LOGIN too
  },
  "reanswer-mfa": async (url, init) => {
    const res = await realFetch(url, init);
    if (endpointOf(url) !== "Authorize" || res.status !== 401) return res;
    const { FlinksCode } = await res.clone().json();
    if (FlinksCode !== "INVALID_SECURITY_RESPONSE") return res;
    return authorizeFresh(JSON.parse(init.body)); // the same answers again, without the user
  },
  "no-api-key": (url, init) => {
    const headers = { ...init.headers };
    delete headers["x-api-key"];
    return realFetch(url, { ...init, headers });
  },
  "delete-card-in-use": async (url, init) => {
    const res = await realFetch(url, init);
    if (endpointOf(url) === "Authorize" && res.status === 200 && !deletedEarly) {
      deletedEarly = true; // the card deleted before the data: CARD_IN_USE
      await realFetch(`${env.FLINKS_BASE_URL}/BankingServices/DeleteCard/${env.FLINKS_LOGIN_ID}`, { method: "DELETE", headers: { "x-api-key": env.FLINKS_API_KEY } });
    }
    return res;
  },
  "trust-optional-fields": async (url, init) => {
    const res = await realFetch(url, init);
    if (!endpointOf(url).startsWith("GetAccountsDetail") || res.status !== 200) return res;
    // Fields Flinks may leave out or send as null, read as if always there:
    // a TypeError on the first one missing (the varied-shapes scenario).
    const body = await res.clone().json();
    const seen = [body.Login.Username];
    for (const acc of body.Accounts) seen.push(acc.Holder.Name.trim(), acc.Holder.Address.City.trim(), acc.Balance.Current.toFixed(2));
    return res;
  },
  "stop-at-202": async (url, init) => {
    const res = await realFetch(url, init);
    if (endpointOf(url) === "GetAccountsDetail" && res.status === 202) return json(200, { Accounts: [] }); // "still processing" read as "no accounts"
    return res;
  },
};

switch (flaw) {
  case "poll-fast":
    env.FLINKS_POLL_INTERVAL = "0ms"; // polls again at once
    break;
  case "no-timeout":
    env.FLINKS_TIMEOUT = "500h";
    break;
  case "late-mfa-answer":
    env.FLINKS_MFA_IDLE_TIMEOUT = "500h"; // answers however long the user took
    break;
  case "no-request-timeout":
    env.FLINKS_REQUEST_TIMEOUT = "500h"; // waits for every answer as long as it takes
    break;
  case "credentials-again":
    delete env.FLINKS_LOGIN_STORE; // the LoginId is never kept: the credentials every time
    break;
  case "no-signature-check":
    delete env.FLINKS_WEBHOOK_SECRET; // every webhook taken
    break;
  case "no-backoff":
    env.FLINKS_RETRY_BACKOFF = "0ms";
    break;
  case "webhook-not-200": {
    const createServer = http.createServer;
    http.createServer = (handler) =>
      createServer((req, res) => {
        const writeHead = res.writeHead.bind(res);
        res.writeHead = (status, ...rest) => writeHead(status === 200 ? 204 : status, ...rest);
        handler(req, res);
      });
    break;
  }
  default:
    if (!(flaw in flaws)) {
      console.error(`flaws.mjs: unknown flaw ${JSON.stringify(flaw)}`);
      process.exit(2);
    }
    globalThis.fetch = flaws[flaw];
}
await import("../node/client.mjs");
