import type { ErrorPayload, Message, Result } from '@chatwire/protocol';
import { describe, expect, it } from 'vitest';
import { type ChatTestClient, connectUser, join, ok, range, send, serials, startChat } from './support.js';

function burst(client: ChatTestClient, count: number, prefix = 'burst') {
  return Promise.all(
    range(1, count).map((i) =>
      client.request('message:send', { roomId: 'lobby', clientMessageId: `${prefix}-${i}`, text: `${prefix} ${i}` }),
    ),
  );
}

function split(results: Result<Message>[]) {
  const accepted: Message[] = [];
  const refused: ErrorPayload[] = [];
  for (const result of results) {
    if (result.ok) accepted.push(result.data);
    else refused.push(result.error);
  }
  return { accepted, refused };
}

describe('rate limit on message:send', () => {
  it('with the defaults (10/s, burst 20) accepts 20 of 25 sent at once and refuses 5 with RATE_LIMITED', async () => {
    // A clock that stands still: no token comes back during the burst, so the count is exact.
    const { url } = await startChat({ now: () => 1_800_000_000_000 });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const { accepted, refused } = split(await burst(ana, 25));
    expect(accepted).toHaveLength(20);
    // One token is back after 1/10 s.
    expect(refused).toEqual(
      Array.from({ length: 5 }, () => ({ code: 'RATE_LIMITED', message: 'Sending too fast', retryAfterMs: 100 })),
    );
    // Refused sends were not stored: the serials stay gapless.
    const page = ok(await ana.request('history:fetch', { roomId: 'lobby', limit: 100 }));
    expect(serials(page.messages)).toEqual(range(1, 20));
  });

  it('lets a refused send through once retryAfterMs has passed on the clock, and not before', async () => {
    let clock = 1_800_000_000_000;
    const { url } = await startChat({ now: () => clock });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const results = await burst(ana, 25);
    const index = results.findLastIndex((result) => !result.ok);
    const last = results[index];
    if (last === undefined || last.ok) throw new Error('expected a refusal');
    const retryAfterMs = last.error.retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    const retry = () =>
      ana.request('message:send', { roomId: 'lobby', clientMessageId: `burst-${index + 1}`, text: 'retried' });
    clock += retryAfterMs - 1;
    expect(await retry()).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    clock += 1;
    expect(await retry()).toMatchObject({ ok: true, data: { clientMessageId: `burst-${index + 1}`, text: 'retried' } });
  });

  it('counts per user: all tabs of a user share the bucket, other users are not affected', async () => {
    const { url } = await startChat({ now: () => 1_800_000_000_000 });
    const tab1 = await connectUser(url, 'ana');
    const tab2 = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    for (const client of [tab1, tab2, bob]) await join(client, 'lobby');
    await burst(tab1, 20);
    expect(
      await tab2.request('message:send', { roomId: 'lobby', clientMessageId: 'tab2', text: 'me too' }),
    ).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect((await send(bob, 'lobby', 'unaffected')).author.userId).toBe('bob');
  });

  it('honours a custom limit', async () => {
    const { url } = await startChat({ rateLimit: { ratePerSecond: 1, burst: 3 }, now: () => 1_800_000_000_000 });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const { accepted, refused } = split(await burst(ana, 5));
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const error of refused) expect(error.retryAfterMs).toBe(1000);
  });

  it('refuses nothing with rateLimit: false', async () => {
    const { url } = await startChat({ rateLimit: false });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    const { accepted, refused } = split(await burst(ana, 60));
    expect(refused).toEqual([]);
    expect(serials(accepted).sort((a, b) => a - b)).toEqual(range(1, 60));
  });
});

describe('the per-user action limit', () => {
  it('refuses a flood of other requests with RATE_LIMITED and lets them through again later', async () => {
    let clock = 0;
    const { url } = await startChat({ now: () => clock, actionRateLimit: { ratePerSecond: 5, burst: 10 } });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const answers = await Promise.all(Array.from({ length: 12 }, () => ana.request('history:fetch', { roomId: 'r' })));
    expect(answers.filter((a) => a.ok)).toHaveLength(9);
    expect(answers.filter((a) => !a.ok)).toEqual(
      Array.from({ length: 3 }, () => ({
        ok: false,
        error: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterMs: 200 }),
      })),
    );
    clock += 1000;
    expect(await ana.request('history:fetch', { roomId: 'r' })).toMatchObject({ ok: true });
  });

  it('counts per user: a second connection of the same user shares the budget, another user does not', async () => {
    const { url } = await startChat({ now: () => 0, actionRateLimit: { ratePerSecond: 5, burst: 10 } });
    const [tab1, tab2, bob] = [
      await connectUser(url, 'ana'),
      await connectUser(url, 'ana'),
      await connectUser(url, 'bob'),
    ];
    for (const client of [tab1, tab2, bob]) await join(client, 'r');
    const fetches = (client: ChatTestClient, count: number) =>
      Promise.all(Array.from({ length: count }, () => client.request('history:fetch', { roomId: 'r' })));
    // ana's two joins took 2 of her 10: 8 left for both tabs together.
    const answers = [...(await fetches(tab1, 6)), ...(await fetches(tab2, 6))];
    expect(answers.filter((a) => a.ok)).toHaveLength(8);
    expect(answers.filter((a) => !a.ok)).toEqual(
      Array.from({ length: 4 }, () => ({ ok: false, error: expect.objectContaining({ code: 'RATE_LIMITED' }) })),
    );
    expect((await fetches(bob, 9)).every((a) => a.ok)).toBe(true);
  });

  it('caps the different reactions on one message', async () => {
    const { url } = await startChat({ actionRateLimit: false });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'r');
    const { serial } = await send(ana, 'r', 'react');
    for (let i = 0; i < 50; i++) ok(await ana.request('reaction:toggle', { roomId: 'r', serial, emoji: `e${i}` }));
    expect(await ana.request('reaction:toggle', { roomId: 'r', serial, emoji: 'one-too-many' })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    expect(await ana.request('reaction:toggle', { roomId: 'r', serial, emoji: 'e0' })).toMatchObject({ ok: true });
  });
});
