-- A finished scan and the material it became (docs/scanning.md, "The link"): until now the link
-- lived only in the `scan.finish` audit entry's detail. A scan filed into the material library
-- names its material (one scan → one material, a material from at most one scan); 完成 pressed
-- again answers that material instead of filing a second copy, and a filed scan is not reopened.
-- The 有效期 typed when the scan was started and the catalog certificate its name matched then are
-- kept with it, so that 继续 (resuming an unfinished scan) finds them again.
ALTER TABLE scan_documents ADD COLUMN material_id INTEGER REFERENCES materials (id);
ALTER TABLE scan_documents ADD COLUMN valid_until TEXT CHECK (valid_until IS NULL OR valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
ALTER TABLE scan_documents ADD COLUMN certificate_code TEXT;

-- Finished scans of earlier versions: the material named by the latest `scan.finish` entry of the
-- scan, if that material exists and is its applicant's. A material two scans' entries name (which
-- no version wrote) stays unlinked rather than guessed. Scans reopened after a finish (status
-- 'open') stay unlinked: their next 完成 files their pages as the earlier version did.
CREATE TEMP TABLE scan_finish_0025 AS
  SELECT seq, CAST(entity_id AS INTEGER) AS document_id,
         CASE WHEN json_valid(detail) THEN json_extract(detail, '$.materialId') END AS material_id
  FROM audit_log WHERE action = 'scan.finish' AND entity_type = 'scan_document';
CREATE TEMP TABLE scan_links_0025 AS
  SELECT d.id AS document_id, m.id AS material_id
  FROM (SELECT document_id, MAX(seq) AS seq FROM temp.scan_finish_0025 GROUP BY document_id) latest
  JOIN temp.scan_finish_0025 f ON f.seq = latest.seq
  JOIN scan_documents d ON d.id = f.document_id AND d.status = 'done'
  JOIN materials m ON m.id = f.material_id AND m.applicant_id = d.applicant_id;
DELETE FROM temp.scan_links_0025
  WHERE material_id IN (SELECT material_id FROM temp.scan_links_0025 GROUP BY material_id HAVING COUNT(*) > 1);
UPDATE scan_documents
  SET material_id = (SELECT l.material_id FROM temp.scan_links_0025 l WHERE l.document_id = scan_documents.id)
  WHERE id IN (SELECT document_id FROM temp.scan_links_0025);
DROP TABLE temp.scan_finish_0025;
DROP TABLE temp.scan_links_0025;

CREATE UNIQUE INDEX scan_documents_material ON scan_documents (material_id) WHERE material_id IS NOT NULL;
