// `seb audit head`: the log's newest signed tree head, for an auditor to keep
// outside the log and later pass to seb audit verify --trusted-head.
import { openLogForAudit } from '../stores/sqlite/record-log-reader.js';
import { treeHeadJson } from './audit-files.js';
import { defineCommand } from './command.js';

export const auditHead = defineCommand({
  words: ['audit', 'head'],
  summary: 'Print the newest signed tree head of a log as JSON, to keep for seb audit verify --trusted-head.',
  details: 'Verify the log (seb audit verify) before trusting the head you keep.',
  flags: {
    log: { type: 'string', value: 'FILE', description: 'the SQLite record log', required: true },
  },
  async run(flags) {
    const reader = openLogForAudit(flags.log);
    try {
      // The head stored under the record count and signing that size; a head copied under a larger key is refused.
      process.stdout.write(`${treeHeadJson(reader.latestTreeHead())}\n`);
      return 0;
    } finally {
      reader.close();
    }
  },
});
