/** Longest event name repeated back to a client or into a log; contract event names are far shorter. */
const MAX_ECHOED_LENGTH = 64;

/** An incoming event's name as it may be echoed: a string, cut to a bounded length. */
export function echoedEventName(event: unknown): string {
  const name = String(event);
  return name.length > MAX_ECHOED_LENGTH ? `${name.slice(0, MAX_ECHOED_LENGTH)}…` : name;
}
