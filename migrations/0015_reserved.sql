-- Placeholder: number 0015 belongs to a parallel branch of issue 14 (hub records). This file only
-- keeps the numbering contiguous on the hub-successor branch; it is dropped when the branches merge.
SELECT 1;
