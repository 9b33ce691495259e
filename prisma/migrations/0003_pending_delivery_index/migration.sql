-- The recovery sweep re-enqueues deliveries still pending after a crash or a lost job queue; this
-- keeps its look-up to the few pending rows. Timeline events are stored pending on channels that
-- deliver through a job but are never sent, so they stay out. (A partial index: Prisma's schema
-- language cannot express it.)
CREATE INDEX "messages_pending_delivery" ON "messages" ("created_at") WHERE "delivery_status" = 'pending' AND "kind" <> 'event';
