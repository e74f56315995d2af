import type { ChatwireClient } from '@chatwire/client';
import type { Socket as RawClientSocket } from 'socket.io-client';
import { type fanoutContract, joinRawReceivers, joinTypedReceivers } from './cases/fanout.js';
import { DeliveryCounter } from './support.js';

// The receivers of one fan-out side, in a process of their own (see receiver-host.ts):
// argv kind url count; answers 'ready' once all joined, then each { total, timeoutMs } with 'reached'
// when that many deliveries were counted, or 'failed'.

const [kind, url, countText] = process.argv.slice(2);
if ((kind !== 'baseline' && kind !== 'chatwire') || url === undefined || process.send === undefined) {
  throw new Error('usage: fork(receiver-host-main.ts, [baseline|chatwire, url, count])');
}
const count = Number(countText);
const counter = new DeliveryCounter();
const reply = (message: Record<string, unknown>) => process.send?.(message);

if (kind === 'baseline') await joinRawReceivers(url, count, counter, [] as RawClientSocket[]);
else await joinTypedReceivers(url, count, counter, [] as ChatwireClient<typeof fanoutContract>[]);

process.on('message', (request: { total: number; timeoutMs: number }) => {
  counter.until(request.total, request.timeoutMs).then(
    () => reply({ type: 'reached', total: request.total }),
    (error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
reply({ type: 'ready' });
