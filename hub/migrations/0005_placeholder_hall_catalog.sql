-- PLACEHOLDER, NOT TO BE MERGED: hub migration 0005 belongs to another branch of issue 17. This
-- empty step only fills the number so branch hall-catalog's 0006 loads (numbers are contiguous).
-- The lead drops this file when merging, keeping the other branch's 0005.
SELECT 1;
