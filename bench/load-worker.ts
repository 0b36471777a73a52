// The load generator of bench:dashboard, run as its own process (child_process.fork) so its CPU is neither the
// measured server's nor the orchestrator's. It keeps request sets by key and runs autocannon on demand:
//   { type: 'load', key, requests: [{ body, authorization? }] }  → { ok: true }
//   { type: 'run', key, url, connections, seconds }               → LoadResult
// Each request of a run is one of the set, picked at random (a random partner per request).

interface RequestSpec {
  body: string;
  authorization?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

interface AutocannonRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
  timeouts: number;
}

type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: AutocannonResult) => void) => unknown;

// autocannon ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const sets = new Map<string, RequestSpec[]>();

function run(key: string, url: string, connections: number, seconds: number): Promise<LoadResult> {
  const set = sets.get(key);
  if (!set) throw new Error(`unknown request set ${key}`);
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request: AutocannonRequest) => {
              const spec = set[Math.floor(Math.random() * set.length)];
              const headers: Record<string, string> = { ...request.headers, 'content-type': 'application/json' };
              if (spec.authorization) headers.authorization = spec.authorization;
              return { ...request, method: 'POST', body: spec.body, headers };
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
  });
}

process.on(
  'message',
  (message: { type: 'load'; key: string; requests: RequestSpec[] } | { type: 'run'; key: string; url: string; connections: number; seconds: number }) => {
    if (message.type === 'load') {
      sets.set(message.key, message.requests);
      process.send!({ ok: true });
      return;
    }
    run(message.key, message.url, message.connections, message.seconds).then(
      (result) => process.send!(result),
      (error: Error) => process.send!({ error: error.message }),
    );
  },
);
process.on('disconnect', () => process.exit(0));
