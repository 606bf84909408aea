// `seb state`: the live state a contract's target has now, as the broker's
// drift predicate will see it. Its output is what `seb sab issue --pre-state`
// takes: the state an assurance boundary certifies against.
import { readContract } from '../core/certificate/contract.js';
import { readJsonFile } from '../files.js';
import { adaptersFor, readTargetFile } from '../platforms/from-target.js';
import { ConfigError } from '../core/errors.js';
import { targetFile } from './broker-setup.js';
import { defineCommand } from './command.js';

export const state = defineCommand({
  words: ['state'],
  summary: "Print a contract target's live state (the drift predicate's view) as JSON; with --version, also its platform version on stderr.",
  flags: {
    target: { type: 'string', value: 'local|FILE', description: 'the target: "local" or a target.json', default: 'local' },
    contract: { type: 'string', value: 'FILE', description: 'the execution contract, JSON', required: true },
    version: { type: 'boolean', description: 'print the version (resourceVersion, ETag) to stderr' },
  },
  async run(flags) {
    const file = targetFile(flags.target);
    const target = readTargetFile(file);
    const contract = readContract(readJsonFile(flags.contract, 'contract'), `contract ${flags.contract}`);
    const platforms = adaptersFor(target, { kubernetesMode: 'pooled' });
    try {
      const adapter = platforms.adapters.find((a) => a.name === contract.platform);
      if (adapter === undefined) throw new ConfigError(file, `has no ${contract.platform} platform`);
      const live = await adapter.readLiveState(adapter.plan(contract));
      process.stdout.write(`${JSON.stringify(live.state)}\n`);
      if (flags.version) process.stderr.write(`version ${live.version ?? '(none)'}\n`);
      return 0;
    } finally {
      platforms.close();
    }
  },
});
