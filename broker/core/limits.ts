// Size and shape caps, checked before any parsing.

/** A certificate (compact JWS) needs no more than this. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** A whole request: certificate, contract and proof. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** A proof-of-possession JWS. */
export const MAX_PROOF_BYTES = 8 * 1024;
/** Nesting depth of any JSON document we parse. */
export const MAX_JSON_DEPTH = 32;
/** Longest certificate id; it becomes a ledger key and an AWS session name source. */
export const MAX_JTI_LENGTH = 128;
/** Largest `uses` a certificate may grant. */
export const MAX_USES = 1000;
