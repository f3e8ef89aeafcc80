-- Placeholder on branch wt-hub only: number 0008 belongs to another engineer's branch.
-- The lead deletes this file when merging (see the wt-hub report).
SELECT 1;
