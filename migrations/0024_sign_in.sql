-- Lockouts count across the hall (docs/hub.md, "Lockouts across the hall"): every wrong password
-- and every sign-in of a user is queued here, in the transaction that counts it on this desk, and
-- reported to the hub (electron/services/auth/hall-lockouts.ts) at once or, while the hub is away,
-- when it is back. The event id makes a report re-sent after a lost answer count once at the hub.
CREATE TABLE hall_lockout_reports (
  id          INTEGER PRIMARY KEY,
  event_id    TEXT NOT NULL UNIQUE,
  username    TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('failure', 'success', 'unlock')),
  -- For a success: the hall lock this desk had seen (the hub keeps a newer one).
  lock_seq    INTEGER,
  created_at  TEXT NOT NULL,
  sent_at     TEXT
);
CREATE INDEX hall_lockout_reports_unsent ON hall_lockout_reports (id) WHERE sent_at IS NULL;

-- Demo users must change their password on first production use (docs/SECURITY.md): the demo seed
-- marks its users; a production desk (demo off) lets a marked user — or anyone who signs in with
-- the demo password — do nothing but change the password (electron/app/dispatcher.ts). Any change
-- of the password hash, on this desk or arriving from the hall, clears the mark.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
CREATE TRIGGER users_password_changed AFTER UPDATE OF password_hash ON users
WHEN NEW.password_hash IS NOT OLD.password_hash AND NEW.must_change_password = 1
BEGIN
  UPDATE users SET must_change_password = 0 WHERE id = NEW.id;
END;

-- Field results signed by a key only the laptop holds (docs/verification.md, "The laptop's key"):
-- on the laptop, the key pair it made for a package; at the hall, the public key registered for the
-- task's current package (first registration only). A new package (checkout released, reassigned,
-- issued again) forgets the registration of the old one.
ALTER TABLE field_work ADD COLUMN device_key TEXT CHECK (device_key IS NULL OR json_valid(device_key));
ALTER TABLE verification_tasks ADD COLUMN field_key_alg TEXT CHECK (field_key_alg IS NULL OR field_key_alg IN ('ed25519', 'sm2-sm3'));
ALTER TABLE verification_tasks ADD COLUMN field_public_key TEXT;
ALTER TABLE verification_tasks ADD COLUMN field_key_registered_at TEXT;
CREATE TRIGGER verification_tasks_field_key_released AFTER UPDATE OF package_id ON verification_tasks
WHEN NEW.package_id IS NOT OLD.package_id AND NEW.field_public_key IS NOT NULL
BEGIN
  UPDATE verification_tasks SET field_key_alg = NULL, field_public_key = NULL, field_key_registered_at = NULL WHERE id = NEW.id;
END;
