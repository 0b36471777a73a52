// node dist/bench/ws-floor.js — the floor under bench:fanout on this machine: a plain ws server (no GraphQL, no
// database) with BENCH_SOCKETS sockets (19,000) held by BENCH_CLIENT_PROCESSES client processes (2) sends one
// ~250-byte text message to every socket in one synchronous loop; reports the send loop's time and CPU and the
// send → receipt latency p50/p99/max over all sockets. Whatever the API does, its fan-out cannot beat this.
import { fork } from 'node:child_process';
import WebSocket, { WebSocketServer } from 'ws';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 19_000);
const CLIENTS = Number(process.env.BENCH_CLIENT_PROCESSES ?? 2);
const MESSAGE = JSON.stringify({
  id: '6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d',
  type: 'next',
  payload: {
    data: {
      rebateAccruals: {
        id: '00000000-0000-4000-8000-000000000001',
        sequence: '123456',
        kind: 'ACCRUAL',
        amount: '123.45',
        balanceAfter: '1234.56',
        period: '2026-01',
        createdAt: '2026-02-02T09:00:00.000Z',
      },
    },
  },
});

function client(port: number, count: number): void {
  let open = 0;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    ws.on('open', () => ++open === count && process.send!({ open }));
    ws.on('message', (data) => {
      JSON.parse(String(data));
      times.push(Date.now());
      if (times.length === count) process.send!({ times });
    });
  }
}

function main(): void {
  const server = new WebSocketServer({ port: 0, perMessageDeflate: false }, () => {
    const { port } = server.address() as { port: number };
    let opened = 0;
    let sentAt = 0;
    const received: number[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const child = fork(__filename, ['client', String(port), String(SOCKETS / CLIENTS)]);
      child.on('message', (message: { open?: number; times?: number[] }) => {
        if (message.open && ++opened === CLIENTS) {
          setTimeout(() => {
            sentAt = Date.now();
            const cpu = process.cpuUsage();
            for (const socket of server.clients) socket.send(MESSAGE);
            const used = process.cpuUsage(cpu);
            console.log(`send loop ${Date.now() - sentAt} ms, CPU user ${used.user / 1000} ms, kernel ${used.system / 1000} ms`);
          }, 1000);
        } else if (message.times) {
          received.push(...message.times.map((t) => t - sentAt));
          if (received.length < SOCKETS) return;
          received.sort((a, b) => a - b);
          const at = (p: number) => received[Math.min(received.length - 1, Math.ceil(p * received.length) - 1)];
          console.log(`${SOCKETS} sockets: send → receipt p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${received[received.length - 1]} ms`);
          process.exit(0);
        }
      });
    }
  });
}

if (process.argv[2] === 'client') client(Number(process.argv[3]), Number(process.argv[4]));
else main();
