// The broker's state beyond the certificate: the replay ledger (a fresh one,
// one with uses spent, one that fails) and the live state that drift compares
// with `pre` (equal, spelled differently, changed, or nothing certified).
import { jcsDigest } from '../../../broker/core/digest.js';
import type { JsonObject } from '../../../broker/core/strict-json.js';
import type { Draft } from '../model.js';
import { sameJson } from '../spec.js';
import type { Slot } from './mutation.js';

const uses = (d: Draft): number => (typeof d.claims.uses === 'number' ? d.claims.uses : 1);

export const LEDGER: Slot = {
  name: 'ledger',
  emptyWeight: 5,
  mutations: [
    { name: 'fresh', apply: (d) => ((d.ledger = { kind: 'fresh', consumed: 0 }), null) },
    { name: 'one-use-left', apply: (d) => ((d.ledger = { kind: 'fresh', consumed: uses(d) - 1 }), null) },
    { name: 'all-uses-spent', apply: (d) => ((d.ledger = { kind: 'fresh', consumed: uses(d) }), 'replayed') },
    {
      // The first use already spent. A key-bound certificate's proof names that use: its replay. A bearer one spends any use left.
      name: 'first-use-spent-proof-names-it',
      apply: (d) => {
        d.ledger = { kind: 'fresh', consumed: 1 };
        if (d.proof?.use === 'last') d.proof.use = 'first';
        return d.agent !== null || uses(d) <= 1 ? 'replayed' : null;
      },
    },
    { name: 'unavailable', apply: (d) => ((d.ledger = { kind: 'down' }), 'ledger_unavailable') },
  ],
};

function driftReason(d: Draft) {
  if (d.live === null) return null;
  return d.preState !== null && sameJson(d.live.value, d.preState) ? null : 'drift';
}

/** Make sure the certificate certifies a state, and the broker reads one equal to it. */
function certifyAndRead(d: Draft): void {
  if (d.preState === null) {
    d.preState = { replicas: 1 };
    d.claims.pre = { digest: jcsDigest(d.preState) };
  }
  d.live ??= { value: structuredClone(d.preState), style: {} };
}

export const DRIFT: Slot = {
  name: 'drift',
  emptyWeight: 5,
  mutations: [
    { name: 'live-equal', apply: (d) => (certifyAndRead(d), driftReason(d)) },
    {
      name: 'live-respelled',
      apply: (d) => {
        certifyAndRead(d);
        if (d.live) d.live.style = { order: 'reversed', space: 'pretty', strings: 'escape-all', numbers: 'exponent' };
        return driftReason(d);
      },
    },
    {
      name: 'live-changed',
      apply: (d) => {
        certifyAndRead(d);
        if (d.live) d.live.value = ['drifted', d.live.value];
        return driftReason(d);
      },
    },
    {
      // The digest decides; a version that moved while the state came back is not drift.
      name: 'version-moved',
      apply: (d) => {
        certifyAndRead(d);
        d.claims.pre = { ...(d.claims.pre as JsonObject), version: 'moved-on' };
        return driftReason(d);
      },
    },
    {
      name: 'nothing-certified',
      apply: (d) => {
        certifyAndRead(d);
        delete d.claims.pre;
        d.preState = null;
        return 'drift';
      },
    },
  ],
};
