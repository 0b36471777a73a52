// A minimal webhook receiver: verifies each delivery with the standardwebhooks library, ignores repeats of a
// webhook-id it has already processed, and answers 2xx only once the event is safely handled.
//
//   npm install standardwebhooks
//   WEBHOOK_SECRET=whsec_... PORT=9000 node examples/webhook-receiver.mjs
//
// For local development, start the API with WEBHOOK_ALLOWED_HOSTS=127.0.0.1:9000 and create the endpoint with
// url "http://127.0.0.1:9000/webhooks".
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error('Set WEBHOOK_SECRET to the secret createWebhookEndpoint (or rotateWebhookSecret) showed');
  process.exit(2);
}
const webhook = new Webhook(secret);
/** webhook-id = the event's sequence: keep the last one processed (in a real system: in the same transaction as the effect). */
let lastSequence = 0n;

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event;
      try {
        // Checks the signature (any of the space-separated ones) and that webhook-timestamp is within 5 minutes.
        event = webhook.verify(body, req.headers);
      } catch (error) {
        console.warn(`refused: ${error.message}`);
        res.writeHead(400).end();
        return;
      }
      const id = req.headers['webhook-id'];
      if (event.type === 'WEBHOOK_TEST') {
        console.log(`test message ${id} received`);
      } else if (BigInt(id) <= lastSequence) {
        console.log(`event ${id} already processed (a redelivery or a replay)`);
      } else {
        lastSequence = BigInt(id);
        const entry = event.data.ledgerEntry;
        console.log(
          `event ${id}: ${event.type} ${event.data.entityId} ${event.data.status ?? ''}${entry ? ` ${entry.kind} ${entry.amount} → balance ${entry.balanceAfter}` : ''}`,
        );
      }
      res.writeHead(204).end(); // any 2xx within 10 s is a success; anything else is retried
    });
  })
  .listen(Number(process.env.PORT ?? 9000), '127.0.0.1', function () {
    console.log(`webhook receiver on http://127.0.0.1:${this.address().port}/webhooks`);
  });
