// `seb audit export`: the records as JSON lines, for jq, spreadsheets and notebooks.
import { IntegrityError, InvalidInputError } from '../core/errors.js';
import { canonicalize } from '../core/jcs.js';
import { entryHash } from '../core/records/record.js';
import { openLogForAudit } from '../stores/sqlite/record-log-reader.js';
import { peekPayload } from './audit-files.js';
import { defineCommand } from './command.js';
import { writeFileAtomic } from '../files.js';

export const auditExport = defineCommand({
  words: ['audit', 'export'],
  summary: 'Write the records of a log as JSON lines: each signed record, its prev, and its entry hash.',
  details: 'Export decodes and does not verify: run seb audit verify for that.',
  flags: {
    log: { type: 'string', value: 'FILE', description: 'the SQLite record log', required: true },
    out: { type: 'string', value: 'FILE', description: 'write here instead of to stdout' },
  },
  async run(flags) {
    const reader = openLogForAudit(flags.log);
    const lines: string[] = [];
    try {
      for (const { seq, jws } of reader.entries()) {
        let payload;
        try {
          payload = peekPayload(jws, `record ${seq}`);
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error;
          throw new IntegrityError(`${flags.log}: ${error.message}; run seb audit verify`);
        }
        lines.push(`${canonicalize({ ...payload, hash: entryHash(jws) })}\n`);
      }
    } finally {
      reader.close();
    }
    if (flags.out === undefined) process.stdout.write(lines.join(''));
    else writeFileAtomic(flags.out, lines.join(''));
    return 0;
  },
});
