-- Placeholder: hub number 0002 belongs to a parallel branch of issue 14. This file only keeps the
-- numbering contiguous on the hub-successor branch; it is dropped when the branches merge.
SELECT 1;
