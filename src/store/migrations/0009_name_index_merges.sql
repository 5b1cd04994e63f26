-- The name index (FTS5) merges its segments off the write path. By default FTS5 does merge
-- work inside the write that adds a segment, up to hundreds of pages at once — on a
-- million customers one edit put 1,880 pages into the log and held its turn for 308 ms while
-- every other writer waited. With automerge off, a write only adds its own small segment;
-- the process's upkeep thread merges them in small steps, each in its own short transaction
-- and turn, after the write has passed (see `store::upkeep`). FTS5 still merges inside a write
-- if a level reaches its crisis size (16 segments), which only a database written for a long
-- time by processes that all quit at once would see, and then only on the small levels.
INSERT INTO customer_text (customer_text, rank) VALUES ('automerge', 0);
