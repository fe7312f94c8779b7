-- Successful answers are appended to a narrow log, webhook_answers, instead
-- of being written on their delivery rows as they come; a later pass (the
-- fold: the dispatcher when it is idle or the log has grown, and every read
-- or write of a delivery's status first) moves them onto the delivery rows
-- and empties the log.
--
-- Answering a delivery used to delete its queue row and update the delivery
-- row in place (migration 0033). The update is the dearer half: in
-- `tollgate-bench fanout` on a 2-core machine, a drain answering with the
-- delete alone ran at about 30,900 deliveries/s, with the delete plus the
-- update at about 26,000/s, and with the delete plus an append to a table
-- like this one at about 30,000/s. The table has no index and no key, so an
-- answer writes one heap row and no index entry; rows are only ever read
-- all together, by the fold.
--
-- A row here is the answer to one try: the delivery it answers, that
-- delivery's tries in the current schedule (this one included), the status
-- code, when the try began (ms), its latency and the first 1 KB of the body.
-- A delivery with a row here and no queue row reads as delivered once the
-- fold has run, and nothing reads a delivery's status without running it.
CREATE TABLE webhook_answers (
    app_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    tries BIGINT NOT NULL,
    code BIGINT NOT NULL,
    at BIGINT NOT NULL,
    latency BIGINT NOT NULL,
    body TEXT NOT NULL
);
