//! Bulk exports, streamed row by row (a million customers never sit in memory at once).
//! Supervisors and admins only; every export is audited.

use rusqlite::params;
use serde::Serialize;

use super::complaints::{complaint_row, with_clocks, Complaint, SELECT as COMPLAINT_SELECT};
use super::purchases::{purchase_from_row, Purchase};
use super::report_exports::ExportSpan;
use super::{Actor, Permission, Result, Store};
use crate::domain::contact::{ContactKind, PhoneRules};
use crate::domain::customer_contacts::masked_form;
use crate::domain::masking::mask_address;

/// One customer as exported: the columns our importer reads back. Phones, emails, WeChat IDs
/// and the address are masked for whoever may not see contacts in full, and `masked` says
/// so on every row (the importer refuses such a row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedCustomer {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub phone: String,
    pub email: String,
    pub wechat: String,
    pub company: Option<String>,
    pub industry: Option<String>,
    pub birthday: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub source: Option<String>,
    pub level: String,
    pub membership: String,
    pub membership_expiry: Option<String>,
    pub owner: Option<String>,
    pub confidential: bool,
    pub do_not_contact: bool,
    pub marketing_consent: bool,
    pub consent_date: Option<String>,
    /// How the latest consent given or withdrawn came.
    pub consent_channel: Option<String>,
    pub tags: String,
    pub notes: Option<String>,
    pub tier: String,
    pub spend_12m: String,
    pub orders_12m: i64,
    pub last_purchase: Option<String>,
    /// True when the phones, emails, WeChat IDs and address of this row are masked.
    pub masked: bool,
}

/// Between the contacts of one kind as the query gathers them (a control character no
/// contact holds).
const UNIT_SEPARATOR: char = '\u{1f}';

fn contacts_of(kind: &str) -> String {
    format!(
        "(SELECT group_concat(value, char(31)) FROM (SELECT value FROM contacts WHERE customer_id = c.id AND kind = '{kind}' ORDER BY position, id))"
    )
}

/// The contacts of one kind in an export cell: `a; b`, each masked when asked.
fn contact_cell(
    gathered: Option<String>,
    kind: ContactKind,
    masked: bool,
    rules: &PhoneRules,
) -> String {
    let Some(gathered) = gathered else {
        return String::new();
    };
    gathered
        .split(UNIT_SEPARATOR)
        .map(|value| {
            if masked {
                masked_form(kind, value, rules)
            } else {
                value.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl Store {
    /// Calls `each` with every current customer (merged tombstones left out), in code order:
    /// contacts and addresses masked unless `actor` may see them in full. Audited, with
    /// whether they were masked.
    pub fn export_customers(
        &mut self,
        actor: &Actor,
        each: &mut dyn FnMut(ExportedCustomer) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ExportCustomers)?;
        let masked = !self.may(actor, Permission::SeeFullContacts);
        let rules = self.phone_rules().clone();
        let sql = format!(
            "SELECT c.code, c.name, c.kind, {}, {}, {}, c.company, c.industry, c.birthday, c.region, c.address,
                    c.source, c.level, c.membership, c.membership_expiry, o.login, c.confidential, c.do_not_contact,
                    c.marketing_consent, c.consent_date,
                    (SELECT group_concat(tag, ', ') FROM customer_tags WHERE customer_id = c.id),
                    c.notes, c.tier, c.spend_12m, c.orders_12m, c.last_purchase, c.consent_channel
             FROM customers c LEFT JOIN operators o ON o.id = c.owner_id
             WHERE c.merged_into IS NULL AND c.erased_at IS NULL ORDER BY c.id",
            contacts_of("phone"),
            contacts_of("email"),
            contacts_of("wechat")
        );
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(&sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let spend: i64 = r.get(23)?;
                each(ExportedCustomer {
                    code: r.get(0)?,
                    name: r.get(1)?,
                    kind: r.get(2)?,
                    phone: contact_cell(r.get(3)?, ContactKind::Phone, masked, &rules),
                    email: contact_cell(r.get(4)?, ContactKind::Email, masked, &rules),
                    wechat: contact_cell(r.get(5)?, ContactKind::Wechat, masked, &rules),
                    company: r.get(6)?,
                    industry: r.get(7)?,
                    birthday: r.get(8)?,
                    region: r.get(9)?,
                    address: r.get::<_, Option<String>>(10)?.map(|a| {
                        if masked {
                            mask_address(&a)
                        } else {
                            a
                        }
                    }),
                    source: r.get(11)?,
                    level: r.get(12)?,
                    membership: r.get(13)?,
                    membership_expiry: r.get(14)?,
                    owner: r.get(15)?,
                    confidential: r.get(16)?,
                    do_not_contact: r.get(17)?,
                    marketing_consent: r.get(18)?,
                    consent_date: r.get(19)?,
                    consent_channel: r.get(26)?,
                    tags: r.get::<_, Option<String>>(20)?.unwrap_or_default(),
                    notes: r.get(21)?,
                    tier: r.get(22)?,
                    spend_12m: format!("{}.{:02}", spend / 100, (spend % 100).abs()),
                    orders_12m: r.get(24)?,
                    last_purchase: r.get(25)?,
                    masked,
                })?;
                count += 1;
            }
        }
        self.write(actor, |w| {
            w.audit(
                "export.customers",
                "customer",
                None,
                serde_json::json!({"rows": count, "masked": masked}),
            );
            Ok(())
        })?;
        Ok(count)
    }

    /// Calls `each` with every purchase made in `span`, oldest first.
    pub fn export_purchases(
        &mut self,
        actor: &Actor,
        span: ExportSpan,
        each: &mut dyn FnMut(Purchase) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ExportPurchases)?;
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(
                "SELECT p.id, p.customer_id, c.code, p.order_no, p.purchased_on, p.amount, p.product,
                        p.category, p.quantity, p.channel
                 FROM purchases p JOIN customers c ON c.id = p.customer_id
                 WHERE p.purchased_on BETWEEN ?1 AND ?2 ORDER BY p.purchased_on, p.id",
            )?;
            let (first, last) = span.days();
            let mut rows = stmt.query(params![first, last])?;
            while let Some(r) = rows.next()? {
                each(purchase_from_row(r)?)?;
                count += 1;
            }
        }
        self.audit_export(actor, "export.purchases", "purchase", span.detail(count))?;
        Ok(count)
    }

    /// Calls `each` with every complaint opened in `span`, oldest first, its clocks read as
    /// of now (a closed one's as they stopped). Supervisors see confidential customers, so
    /// nothing is withheld.
    pub fn export_complaints(
        &mut self,
        actor: &Actor,
        span: ExportSpan,
        each: &mut dyn FnMut(Complaint) -> std::io::Result<()>,
    ) -> Result<u64> {
        self.require(actor, Permission::ExportComplaints)?;
        let now = self.now();
        let mut count = 0u64;
        {
            let mut stmt = self.conn().prepare(&format!(
                "{COMPLAINT_SELECT} WHERE k.opened_at >= ?1 AND k.opened_at < ?2 ORDER BY k.id"
            ))?;
            let (start, end) = span.instants();
            let mut rows = stmt.query(params![start, end])?;
            while let Some(r) = rows.next()? {
                each(with_clocks(complaint_row(r)?, &self.calendar, now))?;
                count += 1;
            }
        }
        self.audit_export(actor, "export.complaints", "complaint", span.detail(count))?;
        Ok(count)
    }
}
