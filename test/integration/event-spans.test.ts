import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, rawConnected } from '../support/harness.js';
import { connectAs, startTestServer } from '../support/test-server.js';

/** A real OpenTelemetry SDK recording every ended span in memory. */
function recordingTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('chatwire-test'), spans: () => exporter.getFinishedSpans() };
}

describe('a span per event (tracer option, OpenTelemetry SDK)', () => {
  // Active spans follow async calls only with a context manager, as in an app with the Node SDK.
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it('makes one server span per event with its namespace, event, socket and outcome', async () => {
    const { tracer, spans } = recordingTracer();
    const { url } = await startTestServer({ tracer });
    const alice = await connectAs(url, 'alice');
    await alice.request('echo', { n: 1 });
    const [span, ...others] = spans();
    expect(others).toEqual([]);
    expect(span?.name).toBe('chatwire echo');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.ended).toBe(true);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      'chatwire.namespace': '/',
      'chatwire.event': 'echo',
      'chatwire.socket_id': alice.raw.id,
      'chatwire.outcome': 'ok',
    });
  });

  it('marks server failures as errors; refusals keep their code with an unset status', async () => {
    const { tracer, spans } = recordingTracer();
    const { url } = await startTestServer({ tracer });
    const alice = await connectAs(url, 'alice');
    await alice.request('boom');
    const raw = connectRaw(url, { userId: 'mallory' });
    await rawConnected(raw);
    await raw.emitWithAck('echo', { n: 'x' });
    await raw.emitWithAck('whatever', {});
    const summary = spans().map((span) => ({
      name: span.name,
      outcome: span.attributes['chatwire.outcome'],
      status: span.status,
    }));
    expect(summary).toEqual([
      { name: 'chatwire boom', outcome: 'INTERNAL', status: { code: SpanStatusCode.ERROR, message: 'INTERNAL' } },
      { name: 'chatwire echo', outcome: 'VALIDATION_FAILED', status: { code: SpanStatusCode.UNSET } },
      { name: 'chatwire unknown', outcome: 'NOT_FOUND', status: { code: SpanStatusCode.UNSET } },
    ]);
  });

  it('is the active span while the event is handled: the app’s spans are its children', async () => {
    const { tracer, spans } = recordingTracer();
    const { url, server } = await startTestServer({ tracer });
    server.useEvent(async (_context, next) => {
      await next();
      tracer.startSpan('app work').end();
    });
    const alice = await connectAs(url, 'alice');
    await alice.request('whoami');
    const work = spans().find((span) => span.name === 'app work');
    const event = spans().find((span) => span.name === 'chatwire whoami');
    expect(event).toBeDefined();
    expect(work?.parentSpanContext?.spanId).toBe(event?.spanContext().spanId);
    expect(work?.spanContext().traceId).toBe(event?.spanContext().traceId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
