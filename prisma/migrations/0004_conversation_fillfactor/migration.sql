-- Every message rewrites its conversation's row (last message, unread count). Room left on each page
-- lets PostgreSQL keep the new row version on the same page without touching the indexes (a HOT
-- update), which keeps a busy conversation's writes cheap. Applies to pages written from now on.
ALTER TABLE "conversations" SET (fillfactor = 50);
