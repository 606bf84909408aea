// AWS credentials as users hold them, against the local moto (IAM enforced):
// a target.json that names profiles of the shared config and credentials
// files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE in a temp dir), one
// that names nothing (the environment), and a profile that assumes a role.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../../../harness/sample-certificates.js';
import { contractFor } from '../../../harness/targets/local/aws-kinds.js';
import { startLocalAws, type LocalAws } from '../../../harness/targets/local/aws-target.js';
import { buildClaims } from '../../sab/issue.js';
import { adaptersFor } from '../from-target.js';
import type { AwsCredentialSource, TargetInfo } from '../target-info.js';
import { awsCredentialsFor } from './credentials.js';

let dir: string;
let aws: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seb-aws-credentials-'));
  aws = await startLocalAws(join(dir, 'moto'));
  const { broker } = aws.info.credentials;
  writeFileSync(join(dir, 'credentials'), `[seb-broker]\naws_access_key_id = ${broker.accessKeyId}\naws_secret_access_key = ${broker.secretAccessKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'config'), `[profile seb-executor-role]\nrole_arn = ${aws.info.executorRoleArn}\nsource_profile = seb-broker\nregion = ${aws.info.region}\n`, { mode: 0o600 });
});
afterAll(async () => {
  await aws?.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function useProfileFiles(): void {
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
}

/** The broker mints an executor for one certified write: it worked only if its credentials reached moto. */
async function mintWith(broker: AwsCredentialSource | undefined): Promise<string> {
  const info: TargetInfo = {
    name: 'profiles',
    aws: { ...aws.info, credentials: broker === undefined ? {} : { broker } },
  };
  const { adapters, close } = adaptersFor(info, { kubernetesMode: 'pooled' });
  try {
    const adapter = adapters[0]!;
    const contract = contractFor('ssm:PutParameter', aws.info, aws.resources, 1);
    const plan = adapter.plan(contract);
    const nowS = Math.floor(Date.now() / 1000);
    const claims = buildClaims({ issuer: ISSUER, audience: AUDIENCE, subject: 'agent', contract, nowS, ttlS: 60 });
    const identity = await adapter.mint(plan, claims);
    return identity.principal;
  } finally {
    close();
  }
}

describe('AWS credentials from the SDK default chain, against moto', () => {
  it('a target.json naming a profile mints as the broker', async () => {
    useProfileFiles();
    expect(await mintWith({ profile: 'seb-broker' })).toMatch(/:assumed-role\/seb-executor\//);
  });

  it('a target.json naming nothing takes the environment', async () => {
    useProfileFiles();
    process.env.AWS_ACCESS_KEY_ID = aws.info.credentials.broker.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = aws.info.credentials.broker.secretAccessKey;
    expect(await mintWith(undefined)).toMatch(/:assumed-role\/seb-executor\//);
  });

  it('a profile that does not exist fails the mint, naming the profile', async () => {
    useProfileFiles();
    await expect(mintWith({ profile: 'nobody' })).rejects.toThrow(/nobody/);
  });

  it('a config profile with role_arn and source_profile assumes the role through moto', async () => {
    useProfileFiles();
    const sts = new STSClient({ endpoint: aws.info.endpoint, region: aws.info.region, credentials: awsCredentialsFor({ profile: 'seb-executor-role' }, aws.info) });
    try {
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toMatch(new RegExp(`^arn:aws:sts::${aws.info.accountId}:assumed-role/seb-executor/`));
    } finally {
      sts.destroy();
    }
  });
});
