// --kubernetes-mode: the broker's Kubernetes executor mode, for the benches that mint executors.
import { UsageError } from '../../broker/core/errors.js';
import { EXECUTOR_MODES, type ExecutorMode } from '../../broker/platforms/kubernetes/executor.js';
import { DEFAULT_KUBERNETES_MODE } from '../targets/local/workspace.js';

export const KUBERNETES_MODE_FLAG = { type: 'string', value: EXECUTOR_MODES.join('|'), description: "the broker's Kubernetes executor mode", default: DEFAULT_KUBERNETES_MODE } as const;

export function kubernetesModeOf(value: string): ExecutorMode {
  if (!(EXECUTOR_MODES as readonly string[]).includes(value)) throw new UsageError(`--kubernetes-mode: must be one of ${EXECUTOR_MODES.join(', ')}`);
  return value as ExecutorMode;
}
