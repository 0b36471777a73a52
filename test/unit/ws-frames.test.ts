// textFrame (src/app/ws-edge.ts): the frames a subscription writes straight to its socket decode as ws decodes any
// server frame, at every header size (7-bit, 16-bit and 64-bit lengths), with multi-byte characters.
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { textFrame } from '../../src/app/ws-edge';

// ws's frame parser (exported by ws, not declared by @types/ws).
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean }) => Writable };

function decode(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data: Buffer, isBinary: boolean) => (isBinary ? reject(new Error('binary')) : resolve(String(data))));
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('textFrame', () => {
  it.each([10, 124, 125, 126, 65_530, 65_536, 70_000])('round-trips a message of about %i bytes', async (size) => {
    const prefix = '{"id":"ä-1","type":"next","payload":';
    const payload = JSON.stringify({ data: { text: 'é'.repeat(Math.max(0, Math.floor((size - prefix.length - 20) / 2))) } });
    expect(await decode(textFrame(prefix, payload))).toBe(prefix + payload + '}');
  });
});
