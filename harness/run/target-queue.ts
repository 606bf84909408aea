// One request per target at a time. A load (open or closed loop) spreads its
// requests over a small pool of targets so that the broker's executors stay
// warm; when a request's target is still being written by an earlier one,
// the later one waits for it instead of being admitted against a state about
// to change (it would be denied for drift, or refused by the platform's
// precondition: the workload's own conflict, not the path's cost). The wait
// happens before the request is fired, so it counts in an open loop's latency
// as lateness (request.ts), and both paths wait alike.
export class TargetQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier `run` on the same target has settled. */
  run(target: string, fn: () => Promise<void>): Promise<void> {
    const before = this.tails.get(target) ?? Promise.resolve();
    const mine = before.then(fn, fn);
    const tail = mine.catch(() => undefined);
    this.tails.set(target, tail);
    // The last one out leaves no entry behind: the map holds only targets in use.
    void tail.then(() => {
      if (this.tails.get(target) === tail) this.tails.delete(target);
    });
    return mine;
  }

  /** Targets with a request in flight or waiting. */
  get busy(): number {
    return this.tails.size;
  }
}
