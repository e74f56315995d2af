import { describe, expect, it } from 'vitest';
import { startApp, user } from './support.js';

/** The value of one sample in Prometheus' text format, e.g. `chatwire_connections{namespace="/"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics on the demo', () => {
  it('serves Prometheus metrics that move with chat traffic', async () => {
    const { url } = await startApp();
    const ana = user(url, 'Ana');
    const joined = await ana.join('general');
    if (!joined.ok) throw new Error(`join refused: ${joined.error.code}`);
    expect(await joined.data.send('hello')).toMatchObject({ ok: true });
    expect(await joined.data.send('again')).toMatchObject({ ok: true });

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'chatwire_connections{namespace="/"}')).toBe(1);
    expect(sample(text, 'chatwire_events_total{namespace="/",event="room:join",outcome="ok"}')).toBe(1);
    expect(sample(text, 'chatwire_events_total{namespace="/",event="message:send",outcome="ok"}')).toBe(2);
    expect(sample(text, 'chatwire_event_duration_seconds_count{namespace="/",event="message:send"}')).toBe(2);
    expect(sample(text, 'chatwire_store_duration_seconds_count{method="append",outcome="ok"}')).toBe(2);
    expect(sample(text, 'chatwire_rooms')).toBe(1);
    expect(sample(text, 'chatwire_room_memberships')).toBe(1);
  });

  it('asks for the ADMIN_TOKEN as a bearer token when one is set', async () => {
    const { url } = await startApp({ adminToken: 'metrics-secret' });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('# TYPE chatwire_events_total counter');
  });
});
