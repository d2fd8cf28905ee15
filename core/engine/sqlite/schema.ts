// The embedded store's tables. Each namespace's version counter and stored-key count live in
// namespace_state, kept in step with entries by triggers, so a quota check needs no count(*).

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  value BLOB NOT NULL,
  kind INTEGER NOT NULL,
  content_type TEXT,
  metadata TEXT,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER,
  UNIQUE (ns, key)
);
CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS namespace_state (
  ns TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  stored_keys INTEGER NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS entries_count_insert AFTER INSERT ON entries BEGIN
  UPDATE namespace_state SET stored_keys = stored_keys + 1 WHERE ns = NEW.ns;
END;
CREATE TRIGGER IF NOT EXISTS entries_count_delete AFTER DELETE ON entries BEGIN
  UPDATE namespace_state SET stored_keys = stored_keys - 1 WHERE ns = OLD.ns;
END;
CREATE TABLE IF NOT EXISTS lists (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  next_pos INTEGER NOT NULL,
  length INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS list_items (
  ns TEXT NOT NULL,
  key BLOB NOT NULL,
  pos INTEGER NOT NULL,
  canon TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (ns, key, pos),
  UNIQUE (ns, key, canon)
) WITHOUT ROWID;
`

/**
 * The change log (changes.ts): one row per put, delete or expiry. Each namespace's last revision is
 * namespace_state.revision, bumped by the same statement that bumps its version on a put; a file
 * made before the change log gets that column added.
 */
export const CHANGES_SCHEMA = `
CREATE TABLE IF NOT EXISTS changes (
  ns TEXT NOT NULL,
  rev INTEGER NOT NULL,
  type INTEGER NOT NULL,
  key BLOB NOT NULL,
  version INTEGER,
  expires_at INTEGER,
  at INTEGER NOT NULL,
  PRIMARY KEY (ns, rev)
) WITHOUT ROWID;
`
