// A workload made of one mutation kind: admission reads the pre-state and has
// the SAB sign a certificate for contract i; the brokered path sends it to
// the broker over HTTP; the direct path does the same mutation with the
// standing credential. Contract i is a function of (seed, kind, i) only.
import type { Contract } from '../../broker/core/certificate/contract.js';
import type { JsonObject } from '../../broker/core/strict-json.js';
import { readCertificate } from '../../broker/core/certificate/certificate.js';
import { CertificateIssuer } from '../../broker/sab/issue.js';
import { deriveSeed, seededRng } from '../load/rng.js';
import type { PlatformEvidence } from '../validate/platform-writes.js';
import type { ExecuteRequest } from './broker-client.js';
import type { MutationKind, PreState } from './mutation.js';
import { errorReason, type RequestOutcome, type Workload } from './workload.js';

/** The SAB's signature over a contract (and the state it admitted it against). */
export type Certifier = (contract: Contract, pre: PreState | undefined) => Promise<string>;

export interface SabCertifierOptions {
  readonly privateJwk: JsonObject;
  readonly issuer: string;
  readonly audience: string;
  readonly subject: string;
  readonly ttlS?: number;
  readonly policyEpoch?: number;
  readonly revocationEpoch?: number;
  /** Unix ms; the default is the wall clock. */
  readonly now?: () => number;
}

/** The reference SAB (broker/sab) as a certifier; its key is imported at the first certificate. */
export function sabCertifier(o: SabCertifierOptions): Certifier {
  const now = o.now ?? Date.now;
  let issuer: CertificateIssuer | undefined;
  return async (contract, pre) =>
    (issuer ??= CertificateIssuer.fromJwk(o.privateJwk)).issue({
      issuer: o.issuer,
      audience: o.audience,
      subject: o.subject,
      contract,
      nowS: Math.floor(now() / 1000),
      ...(o.ttlS === undefined ? {} : { ttlS: o.ttlS }),
      ...(o.policyEpoch === undefined ? {} : { policyEpoch: o.policyEpoch }),
      ...(o.revocationEpoch === undefined ? {} : { revocationEpoch: o.revocationEpoch }),
      ...(pre === undefined ? {} : { preState: pre.state, ...(pre.version === undefined ? {} : { preVersion: pre.version }) }),
    });
}

export interface Admitted {
  readonly contract: Contract;
  readonly certificate: string;
  readonly jti: string;
}

export interface MutationWorkloadOptions<C> {
  readonly kind: MutationKind<C>;
  readonly ctx: C;
  readonly broker: { execute(body: ExecuteRequest): Promise<RequestOutcome> };
  readonly certify: Certifier;
  readonly seed: number;
}

export function mutationWorkload<C>(o: MutationWorkloadOptions<C>): Workload<Admitted> {
  const { kind, ctx } = o;
  const contractFor = (i: number) => kind.contract(i, seededRng(deriveSeed(o.seed, kind.name, i)));
  /** Content each certified contract writes -> its certificate: how the platform's records are matched (never the broker's word). */
  const certified = new Map<string, string>();
  const records = kind.platformRecords;
  return {
    platform: kind.platform,
    operation: kind.name,
    prepare: async () => kind.prepare?.(ctx),
    async admit(i) {
      const contract = contractFor(i);
      const certificate = await o.certify(contract, await kind.preState(contract, ctx));
      const { jti } = readCertificate(certificate).claims;
      if (records !== undefined) certified.set(records.contentOf(contract, ctx), jti);
      return { contract, certificate, jti };
    },
    targetOf: (i) => JSON.stringify(contractFor(i).target),
    certificateId: (admitted) => admitted.jti,
    brokered: (_i, admitted) => o.broker.execute({ certificate: admitted.certificate, contract: admitted.contract }),
    async direct(i) {
      try {
        await kind.directCall(contractFor(i), ctx);
        return { outcome: 'executed', reason: null };
      } catch (error) {
        return { outcome: 'error', reason: errorReason(error) };
      }
    },
    ...(kind.outOfBand === undefined ? {} : { outOfBand: (i: number) => (kind.outOfBand as NonNullable<typeof kind.outOfBand>)(contractFor(i), ctx) }),
    ...(records === undefined
      ? {}
      : {
          // A recorded write whose content no certificate of this workload carries (the direct path, the out-of-band mutator, setup) is no execution.
          platformEvidence: async (t0: number): Promise<PlatformEvidence> => ({
            coverage: [records.coverage],
            writes: (await records.writes(ctx)).flatMap((w) => {
              const jti = certified.get(w.content);
              return jti === undefined ? [] : [{ platform: kind.platform, jti, target: w.target, atMs: w.atMs - t0, by: `content written by contract of ${jti}` }];
            }),
          }),
        }),
    cleanup: async () => kind.cleanup?.(ctx),
  };
}
