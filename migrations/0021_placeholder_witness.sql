-- PLACEHOLDER, NOT TO BE MERGED: desk migration 0021 belongs to another branch of this round. This
-- empty step only fills the number so branch s7-witness's 0024 loads (numbers are contiguous).
-- The lead drops this file when merging, keeping the other branch's 0021.
SELECT 1;
