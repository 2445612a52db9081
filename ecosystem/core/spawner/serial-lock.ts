/** A granted lock; `release()` is idempotent so every `finally` may call it. */
export interface LockLease {
  waitedMs: number;
  release(): void;
}

interface Waiter {
  grant: (lease: LockLease) => void;
  timer: NodeJS.Timeout;
  since: number;
}

/**
 * The spawner's serial FIFO lock (docs/ecosystem.md §10.1): one holder, waiters
 * served strictly in arrival order, a waiter giving up after its timeout.
 */
export class SerialLock {
  private held = false;
  private readonly queue: Waiter[] = [];
  private idleWaiters: Array<() => void> = [];

  get busy(): boolean {
    return this.held;
  }

  /** Waiters not yet granted (what `status.spawner.queue_depth` shows). */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Resolves with a lease, or with null after `timeoutMs` in the queue. */
  acquire(timeoutMs: number): Promise<LockLease | null> {
    const since = performance.now();
    if (!this.held && this.queue.length === 0) {
      this.held = true;
      return Promise.resolve(this.lease(since));
    }
    return new Promise((resolve) => {
      const waiter: Waiter = {
        since,
        grant: (lease) => resolve(lease),
        timer: setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          resolve(null);
        }, timeoutMs),
      };
      this.queue.push(waiter);
    });
  }

  /** Resolves once nobody holds or waits for the lock, or after `timeoutMs`; true when idle. */
  idle(timeoutMs: number): Promise<boolean> {
    if (!this.held && this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => (clearTimeout(timer), resolve(true)));
    });
  }

  private lease(since: number): LockLease {
    let released = false;
    return {
      waitedMs: Math.max(0, Math.round(performance.now() - since)),
      release: () => {
        if (released) return;
        released = true;
        this.handOver();
      },
    };
  }

  private handOver(): void {
    const next = this.queue.shift();
    if (next) {
      clearTimeout(next.timer);
      next.grant(this.lease(next.since));
      return;
    }
    this.held = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
