import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatwireMetrics } from '@chatwire/server';
import { prometheusMetrics } from '@chatwire/server/prometheus';
import { Registry } from 'prom-client';
import { sameToken } from './admin.js';

/** The demo's Prometheus metrics and the `GET /metrics` route that serves them. */
export interface MetricsRoute {
  /** For the chat server's `metrics` option. */
  metrics: ChatwireMetrics;
  /** Answers a scrape: the metrics in Prometheus' text format, or 401 without the admin token. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * Prometheus metrics in a registry of their own (two apps in one process do not collide). With an
 * `adminToken`, a scrape must send `Authorization: Bearer <adminToken>`; without one, the route is
 * open (the demo listens on 127.0.0.1 unless told otherwise).
 */
export function metricsRoute(adminToken: string | undefined): MetricsRoute {
  const registry = new Registry();
  return {
    metrics: prometheusMetrics({ registry }),
    async serve(req, res) {
      if (adminToken) {
        const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (!sameToken(given, adminToken)) {
          res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
          res.end('Unauthorized');
          return;
        }
      }
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
    },
  };
}
