export {
  ChatwireClient,
  type ChatwireClientOptions,
  type ConnectionStatus,
  createClient,
  type InvalidMessage,
  type RequestArgs,
  type RequestOptions,
} from './create-client.js';
export type { TypedClientSocket } from './types.js';
