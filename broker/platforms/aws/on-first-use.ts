// A value made once, on its first use, and shared by every later use: how
// the AWS adapter imports an SDK package (or builds a client) only when a
// contract needs it. A failure is not remembered, so the next use tries again.
export function onFirstUse<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    if (made === undefined) {
      const attempt = make();
      made = attempt;
      attempt.catch(() => {
        if (made === attempt) made = undefined;
      });
    }
    return made;
  };
}
