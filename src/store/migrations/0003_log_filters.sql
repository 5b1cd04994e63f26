-- The desk log's filters (DESIGN §3.3) walk an index newest first and stop at a page: by
-- wrap-up code and by channel they need their own, or a rare code walks every contact.
CREATE INDEX interactions_disposition ON interactions(disposition, started_at);
CREATE INDEX interactions_channel ON interactions(channel, started_at);
