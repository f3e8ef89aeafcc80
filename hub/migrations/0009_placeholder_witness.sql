-- PLACEHOLDER, NOT TO BE MERGED: hub migration 0009 belongs to another branch of this round. This
-- empty step only fills the number so branch s7-witness's 0012 loads (numbers are contiguous).
-- The lead drops this file when merging, keeping the other branch's 0009.
SELECT 1;
