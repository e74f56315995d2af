/** Listener signatures by event name. */
export type EventMap = Record<string, (...args: never[]) => void>;

/**
 * Where a throwing listener's error goes, with the event it was listening to.
 *
 * @example
 * ```ts
 * const onError: ListenerErrorHandler = (error, event) => reportBug(error, { event });
 * const chat = createChatClient(url, { auth: { token }, onError });
 * ```
 */
export type ListenerErrorHandler = (error: unknown, event: string) => void;

/** Reports like an uncaught error (the browser console, Node's `uncaughtException`), after the emit is done. */
export const rethrowLater: ListenerErrorHandler = (error) => {
  setTimeout(() => {
    throw error;
  });
};

/**
 * Calls each of `listeners` (a copy: they may remove themselves) with `args`. One that throws goes to
 * `onListenerError` and never stops the others nor the caller.
 */
export function callListeners<A extends unknown[]>(
  listeners: Iterable<(...args: A) => void>,
  args: A,
  event: string,
  onListenerError: ListenerErrorHandler,
): void {
  for (const listener of [...listeners]) {
    try {
      listener(...args);
    } catch (error) {
      reportListenerError(onListenerError, error, event);
    }
  }
}

/** Hands a listener's `error` to `onListenerError`; never throws to the caller. */
export function reportListenerError(onListenerError: ListenerErrorHandler, error: unknown, event: string): void {
  try {
    onListenerError(error, event);
  } catch (reportError) {
    // The handler itself threw: still never the caller's problem.
    rethrowLater(reportError, event);
  }
}

/**
 * A small typed event emitter; `on` returns the function that removes the listener. A listener that
 * throws goes to `onListenerError` and never stops the other listeners nor the code that emitted.
 */
export class Emitter<Events extends EventMap> {
  private readonly listeners_ = new Map<keyof Events, Set<Events[keyof Events]>>();

  private readonly onListenerError_: ListenerErrorHandler;

  constructor(onListenerError: ListenerErrorHandler = rethrowLater) {
    this.onListenerError_ = onListenerError;
  }

  /** Calls `listener` on each `event`; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners_.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners_.set(event, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.listeners_.get(event);
    if (set === undefined) return;
    callListeners(set as Set<(...a: Parameters<Events[E]>) => void>, args, String(event), this.onListenerError_);
  }
}
