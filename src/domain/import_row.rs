//! What an import reads, before the store sees it: a problem with one row of a file, and a
//! purchase row whose customer is still to be found. Shared by the parser (`import.rs`) and
//! the store's import, so neither needs the other.

use chrono::NaiveDate;
use serde::Serialize;

/// One problem with one row (or, at line 1, with the header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.column, self.reason)
    }
}

/// A purchase row before its customer is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRow {
    /// Code, phone or email naming the customer.
    pub customer: String,
    pub order_no: Option<String>,
    pub purchased_on: NaiveDate,
    pub amount_cents: i64,
    pub product: Option<String>,
    pub category: Option<String>,
    pub quantity: i64,
    pub channel: Option<String>,
}
