-- Applicants' contact and an organisation's signer (docs/ARCHITECTURE.md, "Applicants").
-- All nullable: applicants registered before keep working; a field task without an address says
-- 地址未登记. New organisations are registered with their signer (the person who commits for them),
-- whom the credit check covers as well.
ALTER TABLE applicants ADD COLUMN address TEXT;
ALTER TABLE applicants ADD COLUMN signer_role TEXT CHECK (signer_role IS NULL OR signer_role IN ('legal_rep', 'agent'));
ALTER TABLE applicants ADD COLUMN signer_name TEXT;
ALTER TABLE applicants ADD COLUMN signer_id_type TEXT CHECK (signer_id_type IS NULL OR signer_id_type = 'resident_id');
ALTER TABLE applicants ADD COLUMN signer_id_number TEXT;
ALTER TABLE applicants ADD COLUMN signer_phone TEXT;
ALTER TABLE applicants ADD COLUMN updated_at TEXT;
