// The intent journal, as Vault's write-ahead log: before the broker mints an
// identity for an allow, it writes down what it is about to do (the contract
// and the state the certificate expected), durably, in a SQLite file of its
// own. A decision record names its certificate only by id and contract
// digest; after a crash this is where reconciliation finds the contract to
// read live state for. Nothing here is trusted blindly: reconciliation
// checks the contract against the decision's signed digest. Intents written
// together share one transaction and fsync (stores/sqlite/group-commit.ts).
import Database from 'better-sqlite3';
import type { PreState } from './core/certificate/claims.js';
import { readContract, type Contract } from './core/certificate/contract.js';
import { IoError } from './core/errors.js';
import { canonicalize } from './core/jcs.js';
import { isJsonObject, parseStrictJson, type JsonObject } from './core/strict-json.js';
import { GroupCommit } from './stores/sqlite/group-commit.js';

export interface Intent {
  readonly iss: string;
  readonly jti: string;
  readonly contract: Contract;
  readonly pre?: PreState;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS intents (
  iss TEXT NOT NULL,
  jti TEXT NOT NULL,
  contract TEXT NOT NULL,
  pre TEXT,
  PRIMARY KEY (iss, jti)
) WITHOUT ROWID`;

interface Row {
  contract: string;
  pre: string | null;
}

export class IntentJournal {
  private readonly db: Database.Database;
  private readonly commits: GroupCommit;

  constructor(private readonly path: string) {
    try {
      this.db = new Database(path);
      this.db.pragma('journal_mode = WAL');
      // The intent must be on disk before the mint it announces.
      this.db.pragma('synchronous = FULL');
      this.db.exec(SCHEMA);
      this.commits = new GroupCommit(this.db);
    } catch (error) {
      throw new IoError(`intent journal ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Resolves once the intent is on disk. Idempotent: every use of one certificate announces the same contract. */
  async record(intent: Intent): Promise<void> {
    const row = [intent.iss, intent.jti, canonicalize(intent.contract), intent.pre === undefined ? null : canonicalize(preJson(intent.pre))] as const;
    try {
      await this.commits.submit(() => this.db.prepare('INSERT OR IGNORE INTO intents (iss, jti, contract, pre) VALUES (?, ?, ?, ?)').run(...row));
    } catch (error) {
      throw new IoError(`intent journal ${this.path}: record: ${(error as Error).message}`, { cause: error });
    }
  }

  find(iss: string, jti: string): Intent | undefined {
    const row = this.run('read', () => this.db.prepare('SELECT contract, pre FROM intents WHERE iss = ? AND jti = ?').get(iss, jti) as Row | undefined);
    if (row === undefined) return undefined;
    const contract = readContract(parseStrictJson(row.contract, `intent ${jti} contract`), `intent ${jti} contract`);
    return row.pre === null ? { iss, jti, contract } : { iss, jti, contract, pre: readPre(row.pre, jti) };
  }

  /** Drop the intents of certificates whose every allow has its outcome. */
  forget(settled: Iterable<{ readonly iss: string; readonly jti: string }>): void {
    const remove = this.db.prepare('DELETE FROM intents WHERE iss = ? AND jti = ?');
    const removeAll = this.db.transaction((list: Iterable<{ readonly iss: string; readonly jti: string }>) => {
      for (const s of list) remove.run(s.iss, s.jti);
    });
    this.run('forget', () => removeAll(settled));
  }

  close(): void {
    this.db.close();
  }

  private run<T>(what: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw new IoError(`intent journal ${this.path}: ${what}: ${(error as Error).message}`, { cause: error });
    }
  }
}

function preJson(pre: PreState): JsonObject {
  return pre.version === undefined ? { digest: pre.digest } : { digest: pre.digest, version: pre.version };
}

function readPre(text: string, jti: string): PreState {
  const pre = parseStrictJson(text, `intent ${jti} pre`);
  if (!isJsonObject(pre) || typeof pre.digest !== 'string' || (pre.version !== undefined && typeof pre.version !== 'string')) {
    throw new IoError(`intent ${jti}: pre is not {digest, version?}`);
  }
  return pre.version === undefined ? { digest: pre.digest } : { digest: pre.digest, version: pre.version };
}
