-- The name index deletes securely for good (issue 15): an edit's old name, company and email
-- are taken out of the index's segments at once instead of being marked deleted and kept until
-- a merge, so that an erased customer's earlier versions leave no bytes behind. The index is
-- then merged into one segment, which drops what earlier edits left in older segments (its
-- freed pages are overwritten: secure_delete is on for every connection).
INSERT INTO customer_text (customer_text, rank) VALUES ('secure-delete', 1);
INSERT INTO customer_text (customer_text) VALUES ('optimize');
