import type { Server as HttpServer } from 'node:http';
import type { Server as IoServer } from 'socket.io';
import { z } from 'zod';
import { ActionsFactory, attachSockets, createSimpleConfig } from 'zod-sockets';

/** The inbound case's request, in zod 3 for zod-sockets: the same rules as the chatwire contract's. */
const order = z.object({
  itemId: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(100),
  note: z.string().max(200),
  express: z.boolean(),
});

/** Its answer. */
const receipt = z.object({ orderId: z.number().int().positive(), total: z.number(), accepted: z.boolean() });

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * Attaches zod-sockets to `io` on `httpServer` (not yet listening) with one action, `order:place`:
 * validates the request (a one-element tuple holding the order), answers the receipt through the ack,
 * validated against the output schema.
 */
export async function attachZodSocketsOrders(io: IoServer, httpServer: HttpServer, unitPrice: number): Promise<void> {
  const config = createSimpleConfig({ startupLogo: false });
  const factory = new ActionsFactory(config);
  let orderId = 0;
  const placeOrder = factory.build({
    event: 'order:place',
    input: z.tuple([order]),
    output: z.tuple([receipt]),
    handler: async ({ input: [placed] }) => [
      { orderId: ++orderId, total: placed.quantity * unitPrice, accepted: true },
    ],
  });
  await attachSockets({ io, config, actions: [placeOrder], target: httpServer, logger: silent });
}
