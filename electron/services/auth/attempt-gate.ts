/**
 * One password attempt per user at a time. The lock check, the (slow) password check and the
 * recording of its outcome run as one step per user, so parallel guesses cannot all pass the
 * lock check before the first failure is counted, nor can a late failure or success undo a
 * lock another guess began (security issue: 23 parallel guesses ended signed in). Only this
 * process writes the store (the data folder's lock), so an in-process queue per user is enough.
 */
export class AttemptGate {
  private readonly tails = new Map<number, Promise<unknown>>();

  /** Runs `attempt` after every earlier attempt for `userId` has finished (whatever its outcome). */
  run<T>(userId: number, attempt: () => Promise<T>): Promise<T> {
    const before = this.tails.get(userId) ?? Promise.resolve();
    const mine = before.then(attempt, attempt);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(userId, tail);
    void tail.then(() => {
      if (this.tails.get(userId) === tail) this.tails.delete(userId);
    });
    return mine;
  }
}
