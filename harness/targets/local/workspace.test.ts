import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBrokerSettings } from '../../../broker/config/broker-config.js';
import { writeWorkspace } from './workspace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-workspace-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeWorkspace', () => {
  it("writes a broker configuration whose replay ledger lives in the record log's database (one fsync on an allow's path)", async () => {
    const files = await writeWorkspace(dir, '{}\n');
    const settings = loadBrokerSettings(files.brokerConfig);
    expect(settings.recordLog).toBe(files.recordLog);
    expect(settings.ledger).toBe(files.recordLog);
  });
});
