// `seb execute`: one request through the whole broker, against a target.
import { MAX_REQUEST_BYTES } from '../core/limits.js';
import { readBytesCapped } from '../files.js';
import { defaultConfigFor, openBroker } from './broker-setup.js';
import { defineCommand } from './command.js';

export const execute = defineCommand({
  words: ['execute'],
  summary: 'Execute one request through the broker (predicates, drift, record, mint, invoke, outcome); print the result as one JSON line.',
  details: 'Exit 0 when the mutation succeeded, 1 when it was denied or failed (the reason says which), 2 on a usage or configuration error.',
  flags: {
    target: { type: 'string', value: 'local|FILE', description: 'the target: "local" for the one `seb target up local` runs, or a target.json' },
    request: { type: 'string', value: 'FILE', description: 'request: {"certificate": JWS, "contract": {...}, "proof"?: JWS}', required: true },
    config: { type: 'string', value: 'FILE', description: 'broker settings (YAML or JSON); default .seb/local/broker.yaml for the local target' },
  },
  async run(flags) {
    const bytes = readBytesCapped(flags.request, 'request', MAX_REQUEST_BYTES);
    const broker = await openBroker(flags.config ?? defaultConfigFor(flags.target), flags.target);
    try {
      await broker.reconcile();
      const result = await broker.broker.execute(bytes);
      const { decision, reason, jti } = result.decision;
      const phases = Object.fromEntries(Object.entries(result.phases).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
      process.stdout.write(`${JSON.stringify({ decision, reason, jti, outcome: result.outcome ?? null, detail: result.detail ?? null, phases })}\n`);
      return decision === 'allow' ? 0 : 1;
    } finally {
      await broker.close();
    }
  },
});
