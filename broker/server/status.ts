// HTTP status of a broker answer. The body always carries the decision and
// its reason; the status lets a plain HTTP client tell who should act.
import type { Reason } from '../core/reasons.js';

const BY_REASON: Partial<Record<Reason, number>> = {
  malformed: 400,
  // The target changed after the drift check: retry with a fresh certificate.
  precondition_failed: 409,
  // The broker's own dependencies failed: nothing was decided against the caller.
  ledger_unavailable: 503,
  state_unavailable: 503,
  audit_unavailable: 503,
  mint_failed: 503,
  invoke_failed: 502,
};

export function statusFor(reason: Reason | null): number {
  if (reason === null) return 200;
  return BY_REASON[reason] ?? 403;
}
