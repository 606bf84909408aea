// The last resort of a serving process: an error nothing else caught is
// logged, and the server keeps answering. Exiting would end every execution
// in flight between its decision and its outcome record; staying up lets
// each finish. An execution the error did interrupt still has its decision
// record and its journaled intent, so reconciliation gives it an outcome on
// the next start, as after a crash.
import type { Logger } from './logger.js';

const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/** Installs the handlers; returns the function that removes them. */
export function keepServingOnUncaught(logger: Logger, target: NodeJS.Process = process): () => void {
  const handlers = EVENTS.map((event) => {
    const handler = (error: unknown) =>
      logger.error('uncaught error; still serving', {
        event,
        error: error instanceof Error ? error.message : String(error),
        ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}),
      });
    target.on(event, handler);
    return [event, handler] as const;
  });
  return () => {
    for (const [event, handler] of handlers) target.off(event, handler);
  };
}
