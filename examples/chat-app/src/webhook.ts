import type { ChatHookName, ChatHooks, ChatServer, Logger } from '@chatwire/server';
import type { DemoContract } from './chat-contract.js';

/** Options of {@link addWebhook}. */
export interface WebhookOptions {
  /** Where each event is POSTed as JSON (`CHAT_WEBHOOK_URL`); without it, events are logged (debug). */
  url?: string | undefined;
  logger: Logger;
  /** A POST not answered by then is given up (and logged). @default 5000 */
  timeoutMs?: number;
  /** Most POSTs under way at once; events beyond are dropped with a warning, not queued without bound. @default 100 */
  maxInFlight?: number;
}

/** The hooks the webhook forwards. */
const FORWARDED: ChatHookName[] = [
  'message:created',
  'message:edited',
  'message:deleted',
  'reaction:toggled',
  'member:joined',
  'member:left',
];

/**
 * A webhook-style log on the chat's hooks: every stored change and every member joining or leaving is
 * sent as `{ event, ...payload }`, POSTed to `url` when given, else logged. A failing endpoint is
 * logged (by the hook runner) and never holds up the chat.
 */
export function addWebhook(chat: ChatServer<DemoContract>, options: WebhookOptions): void {
  const { url, logger, timeoutMs = 5000, maxInFlight = 100 } = options;
  let inFlight = 0;
  const deliver = async (event: ChatHookName, payload: ChatHooks[ChatHookName]) => {
    const body = JSON.stringify({ event, ...payload });
    if (url === undefined) return logger.debug('chat webhook', { body });
    if (inFlight >= maxInFlight)
      return logger.warn('chat webhook: too many requests under way, event dropped', { event });
    inFlight += 1;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    } finally {
      inFlight -= 1;
    }
  };
  for (const name of FORWARDED) chat.on(name, (payload) => deliver(name, payload));
}
