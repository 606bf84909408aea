// The serving process's last resort: an uncaught error is logged, not fatal.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keepServingOnUncaught } from './last-resort.js';
import { jsonLogger } from './logger.js';

describe('keepServingOnUncaught', () => {
  it('logs an uncaught exception and an unhandled rejection instead of exiting, and uninstalls cleanly', () => {
    // A stand-in for process: with no listener, Node would exit on either event.
    const emitter = new EventEmitter();
    const target = emitter as unknown as NodeJS.Process;
    const lines: string[] = [];
    const uninstall = keepServingOnUncaught(jsonLogger({ broker: 'b' }, (l) => lines.push(l)), target);
    expect(emitter.listenerCount('uncaughtException')).toBe(1);
    emitter.emit('uncaughtException', new Error('boom'));
    emitter.emit('unhandledRejection', 'no reason object');
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toMatchObject([
      { level: 'error', event: 'uncaughtException', error: 'boom', broker: 'b' },
      { level: 'error', event: 'unhandledRejection', error: 'no reason object' },
    ]);
    expect(logged[0]?.stack).toContain('boom');
    uninstall();
    expect(emitter.listenerCount('uncaughtException') + emitter.listenerCount('unhandledRejection')).toBe(0);
  });
});
