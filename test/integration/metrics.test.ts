import { ChatwireError } from '@chatwire/protocol';
import { prometheusMetrics } from '@chatwire/server/prometheus';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { connectRaw, rawConnected } from '../support/harness.js';
import { testContract } from '../support/test-contract.js';
import { connectAs, startTestServer } from '../support/test-server.js';

/** The value of `name` with exactly these labels (0 when the series does not exist yet). */
async function seriesValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const series = values.find(
    (value) =>
      Object.keys(labels).length === Object.keys(value.labels).length &&
      Object.entries(labels).every(([key, label]) => value.labels[key] === label),
  );
  return series?.value ?? 0;
}

/** A histogram's `_count` and `_sum` for these labels. */
async function histogramOf(registry: Registry, name: string, labels: Record<string, string>) {
  const { values } = await (registry.getSingleMetric(name)?.get() ?? Promise.reject(new Error(`no ${name}`)));
  const pick = (suffix: string) =>
    values.find(
      (value) =>
        'metricName' in value &&
        value.metricName === `${name}${suffix}` &&
        Object.entries(labels).every(([key, label]) => value.labels[key] === label),
    )?.value ?? 0;
  return { count: pick('_count'), sum: pick('_sum') };
}

const events = (registry: Registry, event: string, outcome: string) =>
  seriesValue(registry, 'chatwire_events_total', { namespace: '/', event, outcome });

describe('metrics (prometheusMetrics through real sockets)', () => {
  it('counts events by name and outcome: ok, VALIDATION_FAILED, INTERNAL, unknown, app codes as other', async () => {
    const registry = new Registry();
    const { url, server } = await startTestServer({ metrics: prometheusMetrics({ registry }) });
    server.useEvent(async ({ event }, next) => {
      if (event === 'whoami') throw new ChatwireError('TEAPOT', 'An app code');
      await next();
    });
    const alice = await connectAs(url, 'alice');
    expect(await alice.request('echo', { n: 1 })).toMatchObject({ ok: true });
    expect(await alice.request('echo', { n: 2 })).toMatchObject({ ok: true });
    expect(await alice.request('boom')).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(await alice.request('whoami')).toMatchObject({ ok: false, error: { code: 'TEAPOT' } });
    const raw = connectRaw(url, { userId: 'mallory' });
    await rawConnected(raw);
    expect(await raw.emitWithAck('echo', { n: 'x' })).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await raw.emitWithAck('forbidden')).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect(await raw.emitWithAck('no-such-event-1', {})).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(await raw.emitWithAck('no-such-event-2', {})).toMatchObject({ error: { code: 'NOT_FOUND' } });

    expect(await events(registry, 'echo', 'ok')).toBe(2);
    expect(await events(registry, 'echo', 'VALIDATION_FAILED')).toBe(1);
    expect(await events(registry, 'boom', 'INTERNAL')).toBe(1);
    expect(await events(registry, 'forbidden', 'FORBIDDEN')).toBe(1);
    expect(await events(registry, 'whoami', 'other')).toBe(1);
    // Client-chosen names never become label values: one `unknown` series.
    expect(await events(registry, 'unknown', 'NOT_FOUND')).toBe(2);
    const { values } = await (registry.getSingleMetric('chatwire_events_total')?.get() ?? Promise.reject());
    expect(values.map((value) => value.labels.event)).not.toContain('no-such-event-1');
  });

  it('counts rate-limited events under their contract name', async () => {
    const registry = new Registry();
    const { url } = await startTestServer({
      metrics: prometheusMetrics({ registry }),
      eventRateLimit: { ratePerSecond: 0.001, burst: 1 },
      now: () => 0,
    });
    const alice = await connectAs(url, 'alice');
    expect(await alice.request('echo', { n: 1 })).toMatchObject({ ok: true });
    expect(await alice.request('echo', { n: 2 })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    expect(await events(registry, 'echo', 'ok')).toBe(1);
    expect(await events(registry, 'echo', 'RATE_LIMITED')).toBe(1);
  });

  it('observes each event in the latency histogram, by the server clock', async () => {
    const registry = new Registry();
    let clock = 1_000;
    const { url, server } = await startTestServer({
      metrics: prometheusMetrics({ registry, buckets: [0.1, 0.25, 1] }),
      now: () => clock,
    });
    // The handler "takes" 250 ms of the injected clock.
    server.useEvent(async (_context, next) => {
      clock += 250;
      await next();
    });
    const alice = await connectAs(url, 'alice');
    await alice.request('echo', { n: 1 });
    expect(await histogramOf(registry, 'chatwire_event_duration_seconds', { event: 'echo' })).toEqual({
      count: 1,
      sum: 0.25,
    });
    const buckets = (await registry.getSingleMetric('chatwire_event_duration_seconds')?.get())?.values ?? [];
    const bucket = (le: number) => buckets.find((value) => value.labels.le === le && value.labels.event === 'echo');
    expect(bucket(0.1)?.value).toBe(0);
    expect(bucket(0.25)?.value).toBe(1);
  });

  it('keeps a connections gauge per namespace, up on connect and down on disconnect', async () => {
    const registry = new Registry();
    const { url, server } = await startTestServer({ metrics: prometheusMetrics({ registry }) });
    const connections = (namespace: string) => seriesValue(registry, 'chatwire_connections', { namespace });
    const alice = await connectAs(url, 'alice');
    await connectAs(url, 'bob');
    server.of('/side', testContract, { authenticate: ({ auth }) => ({ userId: auth.userId }) });
    const side = connectRaw(`${url}/side`, { userId: 'carol' });
    await rawConnected(side);
    expect(await connections('/')).toBe(2);
    expect(await connections('/side')).toBe(1);
    const gone = new Promise<void>((resolve) => server.onDisconnect(() => resolve()));
    alice.close();
    await gone;
    expect(await connections('/')).toBe(1);
    expect(await connections('/side')).toBe(1);
  });

  it('a metrics hook that throws is logged; the sender still gets its answer', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (message: string) => errors.push(message) };
    const broken = {
      connectionOpened() {},
      connectionClosed() {},
      eventAnswered() {
        throw new Error('metrics backend down');
      },
      storeCalled() {},
    };
    const { url } = await startTestServer({ metrics: broken, logger });
    const alice = await connectAs(url, 'alice');
    expect(await alice.request('echo', { n: 1 })).toEqual({ ok: true, data: { n: 1, by: 'alice' } });
    expect(errors).toContain('chatwire: metrics eventAnswered threw');
  });
});
