// A platform adapter that writes its intent down before it mints: the one
// step after the decision record from which a mutation can follow. If the
// journal cannot be written, the mint fails (the broker records mint_failed)
// rather than run something a crash would leave unexplained.
import type { MutationPlan, PlatformAdapter } from './core/ports/platform.js';
import type { IntentJournal } from './reconcile-journal.js';

export function journaled(adapter: PlatformAdapter, journal: IntentJournal): PlatformAdapter {
  return {
    name: adapter.name,
    plan: (contract) => adapter.plan(contract),
    readLiveState: (plan) => adapter.readLiveState(plan),
    async mint(plan: MutationPlan, claims) {
      journal.record({ iss: claims.iss, jti: claims.jti, contract: plan.contract, ...(claims.pre === undefined ? {} : { pre: claims.pre }) });
      return adapter.mint(plan, claims);
    },
    invoke: (plan, identity, live) => adapter.invoke(plan, identity, live),
    retire: (identity) => adapter.retire(identity),
  };
}
