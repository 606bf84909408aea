// What the mutation kinds need of a target, per platform it has: the standing
// admin credential (setup, the direct path, out-of-band changes) and the
// broker's identity as the SAB's reader of the pre-state. Made once per bench.
import { ConfigError } from '../../../broker/core/errors.js';
import { adaptersFor } from '../../../broker/platforms/from-target.js';
import type { TargetInfo } from '../../../broker/platforms/target-info.js';
import { DirectAws } from '../../targets/local/aws-kinds.js';
import type { AwsKindContext } from './aws.js';
import { clientFor } from './kubernetes-objects.js';
import type { KubernetesKindContext } from './kubernetes.js';
import type { StateReader } from './shared.js';

export interface KindContexts {
  readonly kubernetes?: KubernetesKindContext;
  readonly aws?: AwsKindContext;
  /** Close every client made here. */
  close(): void;
}

export function kindContexts(info: TargetInfo): KindContexts {
  const awsAdmin = info.aws === undefined ? undefined : info.aws.credentials?.admin;
  if (info.aws !== undefined && awsAdmin === undefined) throw new ConfigError('target aws.credentials.admin', 'the direct path and the pools need a standing admin credential');
  const readers = adaptersFor(info, { kubernetesMode: 'pooled' });
  const reader = (name: 'kubernetes' | 'aws') => readers.adapters.find((a) => a.name === name) as StateReader;
  const kubernetes = info.kubernetes === undefined ? undefined : { admin: clientFor(info.kubernetes.kubeconfigs.admin), reader: reader('kubernetes') };
  const aws = info.aws === undefined || awsAdmin === undefined ? undefined : { admin: new DirectAws(info.aws, awsAdmin), reader: reader('aws') };
  return {
    ...(kubernetes === undefined ? {} : { kubernetes }),
    ...(aws === undefined ? {} : { aws }),
    close: () => {
      kubernetes?.admin.close();
      aws?.admin.close();
      readers.close();
    },
  };
}
