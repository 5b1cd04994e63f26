-- The Care pane's tier filter (issue 14) read the reminders in due order and kept those of
-- customers with the badge asked for: for the rarest (VIP, a few in a hundred) that meant
-- thousands of rows walked, and whole parts read when they held fewer than a page. Each
-- reminder now carries its customer's badge (`vip` for a VIP, else the value tier), written
-- with it when it is made (`reminders::BADGE_OF_CUSTOMER`; not by a trigger, which would cost
-- every insert a statement journal), and kept by the triggers below when a reminder moves to
-- another customer and when a customer's level or tier changes; the rarer badges (VIP, high value) have
-- indexes in the Care list's order.
ALTER TABLE reminders ADD COLUMN badge TEXT;
UPDATE reminders SET badge = (SELECT CASE WHEN c.level = 'vip' THEN 'vip' ELSE c.tier END
                              FROM customers c WHERE c.id = reminders.customer_id)
 WHERE status IN ('open', 'snoozed');
-- One index per rarer badge: the planner uses a partial index for `badge = 'vip'` only when
-- its WHERE says just that.
CREATE INDEX reminders_vip_due ON reminders(status, kind, due_on, due_at) WHERE badge = 'vip';
CREATE INDEX reminders_high_due ON reminders(status, kind, due_on, due_at) WHERE badge = 'high';

-- A merge moves reminders to the customer kept.
CREATE TRIGGER reminders_badge_moved AFTER UPDATE OF customer_id ON reminders
WHEN old.customer_id IS NOT new.customer_id
BEGIN
    UPDATE reminders SET badge = (SELECT CASE WHEN c.level = 'vip' THEN 'vip' ELSE c.tier END
                                  FROM customers c WHERE c.id = new.customer_id)
     WHERE id = new.id;
END;

-- A customer's level or tier changed (an edit, a purchase, an import): their reminders still
-- to do follow.
CREATE TRIGGER customers_badge_changed AFTER UPDATE OF level, tier ON customers
WHEN old.level IS NOT new.level OR old.tier IS NOT new.tier
BEGIN
    UPDATE reminders SET badge = CASE WHEN new.level = 'vip' THEN 'vip' ELSE new.tier END
     WHERE customer_id = new.id AND status IN ('open', 'snoozed');
END;
