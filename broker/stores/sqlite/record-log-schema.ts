// The record log's SQLite layout, shared by the writer and the read-only
// auditor. `seq` is the Merkle leaf index; the primary keys are what stop two
// writers from both appending record n (the second insert fails, no fork).
export const FORMAT_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, jws TEXT NOT NULL, leaf BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tree_heads (size INTEGER PRIMARY KEY, jws TEXT NOT NULL);
`;

/** Rows of `meta`: the broker id, and the broker's public keys as a JWKS (all kids ever used). */
export const META_BROKER = 'broker';
export const META_KEYS = 'keys';
