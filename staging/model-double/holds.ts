// Requests parked by a `hold` fault until the control API releases them.

/** How a held request ended its wait. */
export type HoldOutcome = 'released' | 'closed';

export class HoldRegistry {
  private waiting = new Map<string, (outcome: HoldOutcome) => void>();

  hold(requestId: string): Promise<HoldOutcome> {
    return new Promise((resolve) => this.waiting.set(requestId, resolve));
  }

  release(requestId: string): boolean {
    const resolve = this.waiting.get(requestId);
    if (!resolve) return false;
    this.waiting.delete(requestId);
    resolve('released');
    return true;
  }

  held(): string[] {
    return [...this.waiting.keys()];
  }

  /** Ends every wait without an answer; the server is going away. */
  closeAll(): void {
    for (const resolve of this.waiting.values()) resolve('closed');
    this.waiting.clear();
  }
}
