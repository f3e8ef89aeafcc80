-- Placeholder on branch wt-cases only: number 0012 belongs to another engineer's branch.
-- The lead deletes this file when merging (see the wt-cases report).
SELECT 1;
