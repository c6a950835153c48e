// A Flinks webhook receiver that checks each webhook's signature before it
// trusts the body (Node.js 18 or later, no dependencies):
//
//   FLINKS_WEBHOOK_SECRET=whsec-test-1 node examples/webhooks/node/receiver.mjs
//   flinks-mock serve --webhook-url http://127.0.0.1:9000/flinks --webhook-secret whsec-test-1
//
// It answers 200 at once to every webhook it accepts (Flinks retries on
// anything else) and 401 to one whose signature is wrong. PORT=0 picks a
// free port; the first line printed says which.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

// verify tells whether signature (the flinks-authenticity-key header) is
// the Base64 HMAC-SHA256 of the raw body, keyed with the secret.
export function verify(secret, rawBody, signature) {
  const want = createHmac('sha256', secret).update(rawBody).digest();
  const got = Buffer.from(signature ?? '', 'base64');
  return got.length === want.length && timingSafeEqual(got, want);
}

const secret = process.env.FLINKS_WEBHOOK_SECRET ?? '';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks); // the bytes as received: never a re-encoded JSON
    if (secret && !verify(secret, raw, req.headers['flinks-authenticity-key'])) {
      res.writeHead(401).end('bad signature');
      return;
    }
    let hook;
    try {
      hook = JSON.parse(raw);
    } catch {
      res.writeHead(400).end('not JSON');
      return;
    }
    res.writeHead(200).end(); // answer first; a real receiver queues the work
    console.log(`${hook.ResponseType} webhook for RequestId ${hook.RequestId}: ${raw.length} bytes`);
  });
});

server.listen(Number(process.env.PORT ?? 9000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
