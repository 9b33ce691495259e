-- A visitor has at most one open conversation, even when two of its messages arrive at once.
-- (A partial index: Prisma's schema language cannot express it, so it lives only here.)
CREATE UNIQUE INDEX "conversations_one_open_per_visitor" ON "conversations" ("visitor_id") WHERE "status" <> 'closed';
