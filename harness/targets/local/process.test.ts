// The one process class, against real child processes (node -e scripts):
// readiness by probe and by log line, the environment option, the process
// group, SIGTERM then SIGKILL, `await using`, a failed start that keeps its
// log, a retry on fresh ports, and nothing left behind when the harness is
// interrupted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, START_ATTEMPTS, startOnFreshPorts } from './ports.js';
import { ManagedProcess, ProcessStartError, type ProcessSpec } from './process.js';
import { waitFor } from './wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seb-process-test-'));
  process.env.SEB_KEPT_LOGS = join(dir, 'kept');
});
afterAll(() => {
  delete process.env.SEB_KEPT_LOGS;
  rmSync(dir, { recursive: true, force: true });
});

const node = (name: string, script: string, more: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name,
  command: process.execPath,
  args: ['-e', script],
  logFile: join(dir, `${name}.log`),
  wait: waitFor.logLine(/^ready$/),
  readyTimeoutMs: 20_000,
  ...more,
});

/** Whether a pid runs: it exists and is not a zombie waiting for a parent that may never reap it. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HOLD = 'setInterval(() => {}, 1000);';

describe('ManagedProcess', () => {
  it('is ready on a log line, and hands back its match', async () => {
    await using p = await ManagedProcess.start(node('line', `console.log('starting'); console.log('listening http://x:1'); ${HOLD}`, { wait: waitFor.logLine(/^listening (\S+)$/) }));
    expect(p.readyMatch?.[1]).toBe('http://x:1');
    expect(p.running).toBe(true);
  });

  it('is ready when an HTTP probe answers', async () => {
    const port = await freePort();
    const script = `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');`;
    await using p = await ManagedProcess.start(node('http', script, { wait: waitFor.http(`http://127.0.0.1:${port}/`) }));
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    expect(p.running).toBe(true);
  });

  it('sets and removes environment variables for the child only', async () => {
    process.env.SEB_TEST_INHERITED = 'yes';
    process.env.SEB_TEST_REMOVED = 'yes';
    try {
      const script = `console.log([process.env.SEB_TEST_INHERITED, process.env.SEB_TEST_ADDED, process.env.SEB_TEST_REMOVED ?? 'unset'].join(',')); console.log('ready'); ${HOLD}`;
      await using p = await ManagedProcess.start(node('env', script, { env: { SEB_TEST_ADDED: 'added', SEB_TEST_REMOVED: undefined } }));
      expect(readFileSync(p.logFile, 'utf8')).toContain('yes,added,unset');
      expect(process.env.SEB_TEST_ADDED).toBeUndefined();
    } finally {
      delete process.env.SEB_TEST_INHERITED;
      delete process.env.SEB_TEST_REMOVED;
    }
  });

  it('runs in its own process group, and stopping it ends the whole group', async () => {
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', '${HOLD}'], { stdio: 'ignore' }); console.log('grandchild ' + c.pid); console.log('ready'); ${HOLD}`;
    const p = await ManagedProcess.start(node('group', script));
    const grandchild = Number(/grandchild (\d+)/.exec(readFileSync(p.logFile, 'utf8'))?.[1]);
    expect(alive(grandchild)).toBe(true);
    expect(Number(readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(' ')[4])).toBe(p.pid); // pgid = its own pid
    await p.stop();
    await until(() => !alive(grandchild));
  });

  it('SIGKILLs a process that ignores SIGTERM once the grace period is over', async () => {
    const p = await ManagedProcess.start(node('stubborn', `process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); ${HOLD}`, { stopGraceMs: 300 }));
    await p.stop();
    expect(p.running).toBe(false);
    expect(readFileSync(p.logFile, 'utf8')).toContain('ignored');
  });

  it('`await using` stops it at the end of the scope', async () => {
    let pid = 0;
    {
      await using p = await ManagedProcess.start(node('scoped', `console.log('ready'); ${HOLD}`));
      pid = p.pid;
      expect(alive(pid)).toBe(true);
    }
    expect(alive(pid)).toBe(false);
  });

  it('a start that dies keeps its log and names it; exitedEarly says it died by itself', async () => {
    const error = await ManagedProcess.start(node('dies', `console.log('bind: address already in use'); process.exit(1);`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    const e = error as ProcessStartError;
    expect(e.exitedEarly).toBe(true);
    expect(e.message).toMatch(/^dies exited \(1\) before it was ready \(last line: bind: address already in use\); log kept at /);
    expect(e.message).toContain(e.keptLog);
    rmSync(join(dir, 'dies.log'));
    expect(readFileSync(e.keptLog, 'utf8')).toContain('address already in use');
  });

  it('a start that hangs past its deadline is stopped, not retried', async () => {
    let attempts = 0;
    const error = await startOnFreshPorts(1, () => {
      attempts++;
      return ManagedProcess.start(node('hangs', HOLD, { readyTimeoutMs: 300 }));
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).exitedEarly).toBe(false);
    expect(attempts).toBe(1);
  });

  it('a start that dies is retried on fresh ports, up to START_ATTEMPTS, each failure reported', async () => {
    const seen: number[] = [];
    const warnings: string[] = [];
    const error = await startOnFreshPorts(
      2,
      (ports) => {
        seen.push(...ports);
        return ManagedProcess.start(node('lost-port', 'process.exit(1)'));
      },
      (line) => warnings.push(line),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect(seen).toHaveLength(2 * START_ATTEMPTS);
    expect(new Set(seen).size).toBe(seen.length);
    expect(warnings).toHaveLength(START_ATTEMPTS - 1);
    expect(warnings[0]).toMatch(/log kept at .*retrying on fresh ports/);

    let attempt = 0;
    const second = await startOnFreshPorts(1, () => ManagedProcess.start(node('second-time', ++attempt === 1 ? 'process.exit(1)' : `console.log('ready'); ${HOLD}`)), () => undefined);
    expect(attempt).toBe(2);
    await second.stop();
  });

  it('leaves nothing behind when the harness itself gets SIGTERM', async () => {
    const compiled = join(process.cwd(), 'dist/harness/targets/local/process.js');
    expect(existsSync(compiled), 'run `make build` first: this test runs the compiled class in a harness of its own').toBe(true);
    const harness = `
      const { ManagedProcess } = await import(${JSON.stringify(compiled)});
      const { waitFor } = await import(${JSON.stringify(compiled.replace('process.js', 'wait.js'))});
      const p = await ManagedProcess.start({ name: 'child', command: process.execPath, args: ['-e', "console.log('ready'); ${HOLD}"], logFile: ${JSON.stringify(join(dir, 'orphan.log'))}, wait: waitFor.logLine(/^ready$/) });
      console.log(p.pid);`;
    const h = spawn(process.execPath, ['--input-type=module', '-e', `${harness}\nsetInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => h.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(alive(pid)).toBe(true);
    const exited = new Promise<number | null>((resolve) => h.once('exit', (code) => resolve(code)));
    h.kill('SIGTERM');
    expect(await exited).toBe(143);
    await until(() => !alive(pid));
  });
});
