import type { AppendResult, NewMessage } from '@chatwire/server';
import { MemoryStore } from '@chatwire/server';
import { prometheusMetrics } from '@chatwire/server/prometheus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { connectUser, join, ok, send, startChat } from './support.js';

/** A MemoryStore whose append takes `appendMs` of the injected clock, and fails while `down`. */
class TimedStore extends MemoryStore {
  down = false;
  constructor(private readonly clock: { now: number }) {
    super();
  }

  override async append(message: NewMessage): Promise<AppendResult> {
    this.clock.now += 40;
    if (this.down) throw new Error('connection reset');
    return super.append(message);
  }
}

/** Every sample of `name` as `labels → value`, keyed by the metric name (histograms: `_count`, `_sum`, `_bucket`). */
async function samples(registry: Registry, name: string) {
  const { values } = (await registry.getSingleMetric(name)?.get()) ?? { values: [] };
  return values.map((value) => ({
    name: 'metricName' in value ? value.metricName : name,
    labels: value.labels,
    value: value.value,
  }));
}

describe('chat server metrics', () => {
  it('times store calls per method and outcome, by the chat clock', async () => {
    const registry = new Registry();
    const clock = { now: 1_000_000 };
    const store = new TimedStore(clock);
    const { url } = await startChat({ store, now: () => clock.now, metrics: prometheusMetrics({ registry }) });
    const ana = await connectUser(url, 'ana');
    await join(ana, 'lobby');
    await send(ana, 'lobby', 'one');
    await send(ana, 'lobby', 'two');
    store.down = true;
    const refused = await ana.request('message:send', { roomId: 'lobby', clientMessageId: 'c-3', text: 'three' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

    const storeSamples = await samples(registry, 'chatwire_store_duration_seconds');
    const sample = (suffix: string, method: string, outcome: string) =>
      storeSamples.find(
        (s) =>
          s.name === `chatwire_store_duration_seconds${suffix}` &&
          s.labels.method === method &&
          s.labels.outcome === outcome &&
          s.labels.le === undefined,
      )?.value;
    expect(sample('_count', 'append', 'ok')).toBe(2);
    expect(sample('_sum', 'append', 'ok')).toBeCloseTo(0.08);
    expect(sample('_count', 'append', 'error')).toBe(1);
    expect(sample('_count', 'lastSerial', 'ok')).toBeGreaterThanOrEqual(1);
    // Each event is counted with its outcome, the store's failure as UNAVAILABLE.
    const events = await samples(registry, 'chatwire_events_total');
    const sent = (outcome: string) =>
      events.find((s) => s.labels.event === 'message:send' && s.labels.outcome === outcome)?.value;
    expect(sent('ok')).toBe(2);
    expect(sent('UNAVAILABLE')).toBe(1);
  });

  it('counts rooms and memberships of this node at each scrape', async () => {
    const registry = new Registry();
    const { url } = await startChat({ metrics: prometheusMetrics({ registry }) });
    const gauge = async (name: string) => (await samples(registry, name))[0]?.value;
    const ana = await connectUser(url, 'ana');
    const bob = await connectUser(url, 'bob');
    await join(ana, 'lobby');
    await join(bob, 'lobby');
    await join(bob, 'games');
    expect(await gauge('chatwire_rooms')).toBe(2);
    expect(await gauge('chatwire_room_memberships')).toBe(3);
    ok(await bob.request('room:leave', { roomId: 'games' }));
    expect(await gauge('chatwire_rooms')).toBe(1);
    expect(await gauge('chatwire_room_memberships')).toBe(2);
    expect(await gauge('chatwire_connections')).toBe(2);
  });
});
