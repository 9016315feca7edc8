// Slack requests this process has received and not yet answered. A burst of slash commands
// arrives within a few milliseconds; the work each one starts after its acknowledgement (saving
// a mission, drafting its brief) is CPU and synchronous SQLite calls on the same thread, so run at
// once it delays the acknowledgements of the rest of the burst. Work after an ack waits for a
// moment with no request in hand instead, but never longer than a short bound, so a steady
// stream of requests cannot starve it.
export class SlackRequestIntake {
  private open = 0;
  private waiting: Array<() => void> = [];

  /** A request arrived; `answered` when its response has been sent (or its connection closed). */
  received(): { answered: () => void } {
    this.open++;
    let done = false;
    return {
      answered: () => {
        if (done) return;
        done = true;
        this.open--;
        if (this.open === 0) this.wake();
      },
    };
  }

  /** Resolves when no request waits for its answer, or after `maxWaitMs`, whichever comes first. */
  quiet(maxWaitMs: number): Promise<void> {
    if (this.open === 0 || maxWaitMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
