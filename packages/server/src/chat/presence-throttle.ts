/** Runs `callback` after `delayMs`; returns what cancels it. */
export type Schedule = (callback: () => void, delayMs: number) => () => void;

/** setTimeout that does not keep the process alive. */
export const defaultSchedule: Schedule = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/**
 * Publishes each room's member list at most once per window: the first change goes out at once, the
 * changes during the window that follows go out together at its end. A room is remembered only while
 * its window runs.
 */
export class PresenceThrottle {
  /** roomId → the running window's cancel, and whether a change waits for its end */
  private readonly windows = new Map<string, { cancel: () => void; due: boolean }>();
  private closed = false;

  constructor(
    private readonly windowMs: number,
    private readonly schedule: Schedule,
    private readonly publish: (roomId: string) => void,
  ) {}

  /** The room's membership changed. */
  changed(roomId: string): void {
    if (this.closed) return;
    const window = this.windows.get(roomId);
    if (window !== undefined) {
      window.due = true;
      return;
    }
    this.publish(roomId);
    this.open(roomId);
  }

  /** Forgets every window; nothing more is published (the disconnects of a closing server included). */
  close(): void {
    this.closed = true;
    for (const { cancel } of this.windows.values()) cancel();
    this.windows.clear();
  }

  private open(roomId: string): void {
    const window = {
      due: false,
      cancel: this.schedule(() => {
        this.windows.delete(roomId);
        if (!window.due) return;
        this.publish(roomId);
        this.open(roomId);
      }, this.windowMs),
    };
    this.windows.set(roomId, window);
  }
}
