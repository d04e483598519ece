/**
 * scripts/bench/stream-subscribers.mjs, the `stream` bench section's subscribers on a thread of
 * their own: their counts cross the thread by message, and `settle` turns them into the
 * section's lost / duplicated figures. A `ws` server on 127.0.0.1 plays the stream's side
 * (docs/stream.md): the replay after `after` in one `events` frame, `caught_up`, then the
 * live frames the test pushes (one of them skipping a position, or repeating one).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { settle, SubscriberThread } from '../../scripts/bench/stream-subscribers.mjs';

const item = (p: number) =>
  `{"position":${p},"event":{"position":${p},"type":"CustomerCreated","at":"${new Date().toISOString()}"}}`;
const events = (from: number, to: number) =>
  `{"type":"events","events":[${Array.from({ length: to - from + 1 }, (_, i) => item(from + i)).join(',')}]}`;

let server: WebSocketServer;
let url: string;
let head: number;
let thread: InstanceType<typeof SubscriberThread>;
/** The `after` of every upgrade the server took, in order. */
let asked: number[];

/** Sends every open socket a live frame. */
const push = (frame: string) => {
  for (const ws of server.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
};

beforeEach(async () => {
  head = 5;
  asked = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws, req) => {
    const after = Number(new URL(req.url ?? '', 'http://x').searchParams.get('after'));
    asked.push(after);
    if (head > after) ws.send(events(after + 1, head));
    ws.send(`{"type":"caught_up","position":${head}}`);
  });
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  thread = new SubscriberThread();
});

afterEach(async () => {
  await thread.stop();
  await new Promise((r) => server.close(r));
});

it('opens subscribers on their thread and counts what they got, to the head', async () => {
  expect(await thread.open(url, 'token', 2, 3, true)).toBe(3);
  let c = await thread.counts();
  expect(c).toMatchObject({ minLast: 5, received: 9, gaps: 0, duplicates: 0 });
  await thread.timeDeliveries();
  head = 7;
  push(events(6, 7));
  const settled = await settle(thread, 7, 5_000);
  expect(settled).toMatchObject({ lost: 0, duplicates: 0, minLast: 7, received: 15 });
  const latencies = await thread.deliveries();
  expect(latencies).toHaveLength(6);
  for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(0);
  // Not reached: every subscriber is 2 events short of 9.
  c = await thread.counts();
  expect(c.behind(9)).toBe(6);
  expect((await settle(thread, 9, 200)).lost).toBe(6);
});

it('counts a skipped position as lost and a repeated one as duplicated', async () => {
  await thread.open(url, 'token', 5, 2, true);
  push(events(7, 7));
  push(events(7, 7));
  // Frames of a socket arrive in order: once 8 is in, so is the repeated 7.
  push(events(8, 8));
  const settled = await settle(thread, 8, 5_000);
  expect(settled).toMatchObject({ lost: 2, duplicates: 2, minLast: 8 });
});

it('closes the subscribers it had when it opens new ones, and counts server closes', async () => {
  await thread.open(url, 'token', 3, 2, true);
  expect(asked).toEqual([3, 3]);
  for (const ws of server.clients) ws.close(4408, 'too slow');
  // A closed subscriber resumes from its last position, as the typed client does.
  await expect.poll(() => asked, { timeout: 5_000 }).toEqual([3, 3, 5, 5]);
  expect((await thread.counts()).closes).toEqual({ 4408: 2 });
  await thread.open(url, 'token', 5, 1, false);
  await expect.poll(() => server.clients.size, { timeout: 5_000 }).toBe(1);
  const c = await thread.counts();
  expect(c).toMatchObject({ minLast: 5, received: 0 });
  expect(c.closes).toEqual({});
});

it('rejects calls once its thread has ended, instead of waiting for an answer', async () => {
  await thread.worker.terminate();
  await expect(thread.counts()).rejects.toThrow(/subscriber thread exited/);
  await expect(thread.open(url, 'token', 0, 1, true)).rejects.toThrow(/subscriber thread exited/);
});
