export {
  type AsyncAPIChannel,
  type AsyncAPIDocument,
  type AsyncAPIInfo,
  type AsyncAPIMessage,
  type AsyncAPIOperation,
  type AsyncAPIReference,
  type AsyncAPIServer,
  type JsonSchema,
  type ToAsyncAPIOptions,
  toAsyncAPI,
} from './asyncapi/to-asyncapi.js';
