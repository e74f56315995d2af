export { type CliCommand, type ConnectOptions, parseCliArgs, usage } from './args.js';
export { type CliIO, MAX_HISTORY, runCli } from './cli.js';
export {
  type FormatOptions,
  formatError,
  formatMembers,
  formatMessage,
  formatTime,
  formatTyping,
  formatUpdate,
  helpText,
  presenceLines,
  sanitize,
} from './format.js';
