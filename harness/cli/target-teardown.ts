// `seb target teardown`: remove exactly what `seb target bootstrap` created,
// as its manifest lists it, and say what (if anything) is still there.
import { teardownExternal } from '../targets/external/bootstrap.js';
import { defineCommand } from '../../broker/cli/command.js';
import { DEFAULT_EXTERNAL_DIR } from './target-bootstrap.js';

export const targetTeardown = defineCommand({
  words: ['target', 'teardown'],
  summary: 'Remove what `seb target bootstrap` created (DIR/bootstrap-manifest.json lists it), and nothing else.',
  flags: {
    out: { type: 'string', value: 'DIR', description: 'the folder bootstrap wrote', default: DEFAULT_EXTERNAL_DIR },
  },
  async run(flags) {
    const result = await teardownExternal(flags.out, (line) => process.stderr.write(`[seb] ${line}\n`));
    for (const ns of result.terminating) process.stdout.write(`terminating ${ns} (the cluster's namespace controller removes it)\n`);
    for (const item of result.left) process.stdout.write(`left ${item}\n`);
    if (result.left.length > 0) {
      process.stderr.write(`seb: ${result.left.length} item(s) are still there; the manifest is kept, run teardown again\n`);
      return 1;
    }
    process.stdout.write('nothing of ours is left\n');
    return 0;
  },
});
