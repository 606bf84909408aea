// Where the local target's platform binaries are: install.sh builds or finds
// them in the cache (~/.cache/seb) and prints `name=/abs/path` for each. It is
// idempotent and quick once everything is cached.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../broker/core/errors.js';
import { REPO_ROOT } from '../../repo-root.js';

export type Component = 'kube-apiserver' | 'etcd' | 'toxiproxy' | 'moto' | 'localstack' | 'kind';

const INSTALL_DIR = join(REPO_ROOT, 'harness/targets/local/install');

/** Paths of the requested binaries, installing any that are missing (progress goes to stderr). */
export function installBinaries(components: readonly Component[]): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [join(INSTALL_DIR, 'install.sh'), ...components], { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) {
        reject(new ConfigError('local target', `install.sh ${components.join(' ')} failed (exit ${String(error.code)}); its progress above says why`));
        return;
      }
      const paths: Record<string, string> = {};
      for (const line of stdout.split('\n')) {
        const at = line.indexOf('=');
        if (at > 0) paths[line.slice(0, at)] = line.slice(at + 1);
      }
      resolve(paths);
    });
    child.stderr?.pipe(process.stderr);
  });
}

/** The pinned versions (versions.env, or another env file of the install folder), for run metadata. */
export function pinnedVersions(file = 'versions.env'): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(join(INSTALL_DIR, file), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m) versions[(m[1] as string).replace(/_VERSION$/, '').toLowerCase().replaceAll('_', '-')] = m[2] as string;
  }
  return versions;
}
