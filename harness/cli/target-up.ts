// `seb target up local`: start the local target and keep it up until
// interrupted; everything it started is stopped on SIGINT or SIGTERM.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../broker/core/errors.js';
import { startLocalTarget } from '../targets/local/local-target.js';
import { writeWorkspace } from '../targets/local/workspace.js';
import { DEFAULT_LOCAL_DIR } from '../../broker/cli/broker-setup.js';
import { defineCommand } from '../../broker/cli/command.js';

export const targetUp = defineCommand({
  words: ['target', 'up'],
  usage: 'local',
  allowPositionals: 1,
  summary: 'Start the local target (kube-apiserver, etcd, moto on loopback); write DIR/target.json; stay up until interrupted.',
  details:
    'Also writes DIR/broker.yaml, DIR/sab/ (issuer keys) and DIR/broker/ (broker key), so that `seb sab issue`, ' +
    '`seb execute --target local` and `seb serve --config DIR/broker.yaml` work against it at once.',
  flags: {
    out: { type: 'string', value: 'DIR', description: 'folder for target.json, keys, state and logs', default: DEFAULT_LOCAL_DIR },
  },
  async run(flags, positionals) {
    if (positionals[0] !== 'local') throw new UsageError('target up: only "local" can be started here (k3s, kind and localstack-container start with `seb bench paper --target NAME` where a Docker engine answers; LocalStack as a process with --target localstack; external targets are already up)');
    const dir = resolve(flags.out);
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`starting the local target in ${dir} …\n`);
    const target = await startLocalTarget(resolve(dir, 'run'));
    const stopped = new Promise<void>((done) => {
      const stop = () => {
        process.stderr.write('stopping the local target …\n');
        void target.stop().then(done);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    try {
      const files = await writeWorkspace(dir, `${JSON.stringify(target.info, null, 2)}\n`);
      process.stdout.write(`ready ${files.targetFile}\n`);
    } catch (error) {
      await target.stop();
      throw error;
    }
    await stopped;
    return 0;
  },
});
