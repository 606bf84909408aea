// Every `seb` subcommand, in the order `seb --help` lists them.
import { benchMicro } from './bench-micro.js';
import type { Command } from './command.js';
import { auditExport } from './audit-export.js';
import { auditHead } from './audit-head.js';
import { auditVerify } from './audit-verify.js';
import { sabIssue } from './sab-issue.js';
import { sabKeygen } from './sab-keygen.js';
import { verify } from './verify.js';

export const COMMANDS: Command[] = [
  sabKeygen,
  sabIssue,
  verify,
  benchMicro,
  auditVerify,
  auditHead,
  auditExport,
];
