-- PLACEHOLDER, NOT TO BE MERGED: migration 0017 belongs to another branch of issue 17. This empty
-- step only fills the number so branch hall-catalog's 0018 loads (numbers are contiguous). The lead
-- drops this file when merging, keeping the other branch's 0017.
SELECT 1;
