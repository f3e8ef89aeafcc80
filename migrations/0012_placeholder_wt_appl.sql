-- Placeholder on branch wt-appl only: number 0012 belongs to other engineers' branches.
-- The lead deletes this file when merging (see the wt-appl report).
SELECT 1;
