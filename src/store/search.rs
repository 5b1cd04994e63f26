//! Lookup (DESIGN §3.2): a query is classified by shape into a list of probes, each one
//! indexed statement — never a scan of the customer table. Exact matches rank first, then
//! prefixes (and phone suffixes), then substrings.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension as _, Transaction};
use serde::Serialize;

use super::{engine, Actor, CustomerSummary, Result, Store, StoreError};
use crate::domain::contact::{normalize_phone, ContactKind, PhoneRules};
use crate::domain::customer::normalize_tag;
use crate::domain::customer_contacts::NormalContact;
use crate::domain::search_key::{
    cjk_bigrams, classify, fold, has_cjk, pinyin_full, pinyin_initials, prefix_upper_bound,
    reversed, Query, MIN_PHONE_SUFFIX,
};

/// How well a result matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRank {
    Exact,
    Prefix,
    Substring,
}

/// One customer found, with how and where it matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    pub customer_id: i64,
    pub rank: MatchRank,
    /// The field that matched: name, pinyin, initials, code, company, email, tag, phone.
    pub field: &'static str,
    /// For a phone match, which of the customer's numbers it was.
    pub phone: Option<PhoneHit>,
}

/// How a phone probe matched a number's national digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PhoneHit {
    /// The whole number.
    Whole(String),
    /// Its first digits.
    Starts(String),
    /// Its last digits.
    Ends(String),
}

impl PhoneHit {
    /// Whether a number, by its national digits, is the one this probe found.
    pub fn fits(&self, national: &str) -> bool {
        match self {
            PhoneHit::Whole(d) => national == d,
            PhoneHit::Starts(d) => national.starts_with(d.as_str()),
            PhoneHit::Ends(d) => national.ends_with(d.as_str()),
        }
    }

    /// The hit a probe's key stands for (`d…` a number or its start, `r…` its end reversed).
    fn of(probe: &Probe) -> Option<PhoneHit> {
        match probe {
            Probe::Exact(key, _, _) => key.strip_prefix('d').map(|d| PhoneHit::Whole(d.into())),
            Probe::Prefix(key, _, _) => match key.split_at_checked(1) {
                Some(("d", d)) => Some(PhoneHit::Starts(d.into())),
                Some(("r", r)) => Some(PhoneHit::Ends(reversed(r))),
                _ => None,
            },
            Probe::Text(..) => None,
        }
    }
}

/// A ranked result row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResult {
    #[serde(flatten)]
    pub customer: CustomerSummary,
    pub rank: MatchRank,
    pub matched: &'static str,
    /// The number that matched, masked as the list shows numbers, when the match was a
    /// phone number (a landline or second number, not always the first mobile); `None` for
    /// other matches and for a customer the actor may not see.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_contact: Option<String>,
}

/// The lookup keys and searchable text of one customer.
pub(crate) struct SearchDoc {
    keys: Vec<String>,
    name: String,
    company: String,
    emails: String,
}

impl SearchDoc {
    pub(crate) fn new(
        name: &str,
        code: &str,
        company: Option<&str>,
        contacts: &[NormalContact],
        tags: &[String],
    ) -> SearchDoc {
        let name_folded = fold(name);
        let mut keys = vec![
            format!("n{name_folded}"),
            format!("c{}", code.to_lowercase()),
        ];
        if has_cjk(name) {
            keys.extend(pinyin_full(name).map(|p| format!("p{p}")));
            keys.extend(pinyin_initials(name).map(|i| format!("i{i}")));
            keys.extend(
                cjk_bigrams(&name_folded)
                    .into_iter()
                    .map(|g| format!("g{g}")),
            );
        }
        let company = company.map(fold).unwrap_or_default();
        if !company.is_empty() {
            keys.push(format!("o{company}"));
        }
        let mut emails = Vec::new();
        for c in contacts {
            match c.input.kind {
                ContactKind::Email => {
                    keys.push(format!("e{}", c.normalized));
                    emails.push(c.normalized.as_str());
                }
                ContactKind::Phone => {
                    if let Some(national) = c.national_digits() {
                        keys.push(format!("d{national}"));
                        keys.push(format!("r{}", reversed(national)));
                    }
                }
                ContactKind::Wechat | ContactKind::Other => {}
            }
        }
        keys.extend(
            tags.iter()
                .filter_map(|t| normalize_tag(t))
                .map(|t| format!("t{t}")),
        );
        keys.sort();
        keys.dedup();
        SearchDoc {
            keys,
            name: name_folded,
            company,
            emails: emails.join(" "),
        }
    }
}

pub(crate) fn index(tx: &Transaction<'_>, customer_id: i64, doc: &SearchDoc) -> Result<()> {
    let mut insert =
        tx.prepare_cached("INSERT OR IGNORE INTO search_keys (key, customer_id) VALUES (?1, ?2)")?;
    for key in &doc.keys {
        insert.execute(params![key, customer_id])?;
    }
    engine::note_names_written();
    tx.prepare_cached(
        "INSERT INTO customer_text (rowid, name, company, email) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, doc.name, doc.company, doc.emails])?;
    Ok(())
}

impl SearchDoc {
    /// What a bulk load stages for this customer: the id, the lookup keys as one JSON array,
    /// and the searchable text.
    pub(crate) fn staged_values(self, customer_id: i64) -> Result<[super::Cell; 5]> {
        let keys = serde_json::to_string(&self.keys).map_err(|e| {
            StoreError::Database(format!("lookup keys of customer {customer_id}: {e}"))
        })?;
        Ok([
            customer_id.into(),
            keys.into(),
            self.name.into(),
            self.company.into(),
            self.emails.into(),
        ])
    }
}

pub(crate) fn unindex(tx: &Transaction<'_>, customer_id: i64) -> Result<()> {
    tx.prepare_cached("DELETE FROM search_keys WHERE customer_id = ?1")?
        .execute([customer_id])?;
    engine::note_names_written();
    tx.prepare_cached("DELETE FROM customer_text WHERE rowid = ?1")?
        .execute([customer_id])?;
    Ok(())
}

const EXACT_SQL: &str = "SELECT customer_id FROM search_keys WHERE key = ?1 LIMIT ?2";
const PREFIX_SQL: &str =
    "SELECT customer_id FROM search_keys WHERE key > ?1 AND key < ?2 ORDER BY key LIMIT ?3";
const TEXT_SQL: &str = "SELECT rowid FROM customer_text WHERE customer_text MATCH ?1 LIMIT ?2";
const TEXT_ROW_SQL: &str = "SELECT name, company, email FROM customer_text WHERE rowid = ?1";

/// Characters in one window of a long text query (four trigrams).
const TEXT_WINDOW: usize = 6;
/// A window found in fewer rows than this is rare enough to check those rows one by one.
const RARE_WINDOW: i64 = 200;
/// A first, cheap pass looks for a window in fewer rows than this: a typo
/// usually leaves one that is nowhere (`gyutog` in `songyutogn`), and a common window reaches
/// so few rows at once. Proving that a window has fewer than [`RARE_WINDOW`] costs a whole
/// search of it (`songyu`, in 180 rows, took 3 ms), so that pass comes second.
const NOWHERE_WINDOW: i64 = 8;

/// One indexed statement of a lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Probe {
    /// A key equal to this one.
    Exact(String, MatchRank, &'static str),
    /// Keys that start with this one (the key itself excluded).
    Prefix(String, MatchRank, &'static str),
    /// FTS5 trigram phrase over name, company and email.
    Text(String, &'static str),
}

/// The probes a query needs, in the order their results rank.
pub(crate) fn probes(query: &str, rules: &PhoneRules) -> Vec<Probe> {
    use MatchRank::{Exact, Prefix, Substring};
    let mut out = Vec::new();
    // A number handed over as a URI (`sip:+86…@pbx` has an '@') is looked up as the number.
    let uri = crate::domain::contact::phone_uri(query.trim());
    let query = uri.as_ref().map_or(query, |u| u.number.as_str());
    match classify(query) {
        Query::Empty => {}
        Query::Tag(tag) => {
            out.push(Probe::Exact(format!("t{tag}"), Exact, "tag"));
            out.push(Probe::Prefix(format!("t{tag}"), Prefix, "tag"));
        }
        Query::Email(email) => {
            out.push(Probe::Exact(format!("e{email}"), Exact, "email"));
            out.push(Probe::Prefix(format!("e{email}"), Prefix, "email"));
            if email.chars().count() >= 3 {
                out.push(Probe::Text(email, "email"));
            }
        }
        Query::Digits(digits) => {
            // Read the number as typed first: its '+' tells "+86 10 6666 8888" or
            // "+44 20 …" from a national number, which the bare digits cannot.
            if let Ok(phone) =
                normalize_phone(query, rules).or_else(|_| normalize_phone(&digits, rules))
            {
                out.push(Probe::Exact(format!("d{}", phone.national), Exact, "phone"));
            }
            out.push(Probe::Exact(format!("c{digits}"), Exact, "code"));
            let suffix = Probe::Prefix(format!("r{}", reversed(&digits)), Prefix, "phone");
            let start = Probe::Prefix(format!("d{digits}"), Prefix, "phone");
            // Four digits are nearly always the end of a number; a longer run is usually its
            // beginning, typed as the caller says it.
            match digits.len() {
                n if n < MIN_PHONE_SUFFIX => out.push(start),
                n if n == MIN_PHONE_SUFFIX => out.extend([suffix, start]),
                _ => out.extend([start, suffix]),
            }
        }
        Query::Text(text) => {
            // A number pasted with its extension ("010-6666 8888 ext 12", "…转12") is a number.
            if text.chars().any(|c| c.is_ascii_digit()) {
                if let Ok(phone) = normalize_phone(query, rules) {
                    out.push(Probe::Exact(format!("d{}", phone.national), Exact, "phone"));
                }
            }
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let latin = squeezed.chars().all(|c| c.is_ascii_alphabetic());
            out.push(Probe::Exact(format!("n{text}"), Exact, "name"));
            out.push(Probe::Exact(format!("c{squeezed}"), Exact, "code"));
            if latin {
                out.push(Probe::Exact(format!("p{squeezed}"), Exact, "pinyin"));
                out.push(Probe::Exact(format!("i{squeezed}"), Exact, "initials"));
            }
            out.push(Probe::Exact(format!("o{text}"), Exact, "company"));
            out.push(Probe::Prefix(format!("n{text}"), Prefix, "name"));
            if latin {
                out.push(Probe::Prefix(format!("p{squeezed}"), Prefix, "pinyin"));
                out.push(Probe::Prefix(format!("i{squeezed}"), Prefix, "initials"));
            }
            out.push(Probe::Prefix(format!("c{squeezed}"), Prefix, "code"));
            out.push(Probe::Prefix(format!("o{text}"), Prefix, "company"));
            let chars = text.chars().count();
            if chars == 2 && has_cjk(&text) {
                out.push(Probe::Exact(format!("g{text}"), Substring, "name"));
            }
            if chars >= 3 {
                out.push(Probe::Text(text, "name"));
            }
        }
    }
    out
}

/// Quotes text as one FTS5 phrase, so user input is never read as query syntax.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The customers a probe finds, each with the field it matched when the probe can tell
/// (the text search names the column that holds the text).
fn run_probe(
    conn: &Connection,
    probe: &Probe,
    limit: i64,
    label: bool,
) -> Result<Vec<(i64, Option<&'static str>)>> {
    let ids = match probe {
        Probe::Exact(key, ..) => {
            let mut stmt = conn.prepare_cached(EXACT_SQL)?;
            let rows = stmt.query_map(params![key, limit], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<i64>>>()?
        }
        Probe::Prefix(key, ..) => {
            let mut stmt = conn.prepare_cached(PREFIX_SQL)?;
            let rows =
                stmt.query_map(params![key, prefix_upper_bound(key), limit], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<Vec<i64>>>()?
        }
        Probe::Text(text, _) => return text_search(conn, text, limit, label),
    };
    Ok(ids.into_iter().map(|id| (id, None)).collect())
}

fn phrase_rows(conn: &Connection, text: &str, limit: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(TEXT_SQL)?;
    let rows = stmt.query_map(params![fts_phrase(text), limit], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
}

/// The customers whose name, company or email contains `text` (folded), first `limit` by id:
/// what the FTS5 trigram phrase `text` finds. A long phrase is slow when most of its trigrams
/// are common, even if the whole is rare or absent: FTS5 reads those trigrams' long lists
/// (a typo'd `zhangxiuying538@outlook.com` took 20–30 ms on a million customers, where its piece
/// `g538@o` alone takes 0.3 ms). So a query longer than a window is first looked up a window at
/// a time, each window capped at [`RARE_WINDOW`] rows (a common one stops early, well under a
/// millisecond); the first rare window's rows, all the candidates there are, are read and kept
/// when they contain the whole text. Only when every window is common does the whole phrase
/// run, and then it has many matches and its limit ends it early.
///
/// Each customer comes with the column that holds the text: name, company or email — unless
/// `label` is false (a count needs only who), when the whole phrase's rows come unlabelled.
fn text_search(
    conn: &Connection,
    text: &str,
    limit: i64,
    label: bool,
) -> Result<Vec<(i64, Option<&'static str>)>> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > TEXT_WINDOW {
        let last = chars.len() - TEXT_WINDOW;
        let mut starts: Vec<usize> = (0..=last).step_by(TEXT_WINDOW / 2).collect();
        if starts.last() != Some(&last) {
            starts.push(last);
        }
        // Digits are the rarest part of most text (an email's number, a code): their windows
        // first.
        starts.sort_by_key(|&start| {
            let digits = chars[start..start + TEXT_WINDOW]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .count();
            (std::cmp::Reverse(digits), start)
        });
        let first = starts.iter().map(|&start| (NOWHERE_WINDOW, start));
        let second = starts.iter().map(|&start| (RARE_WINDOW, start));
        for (cap, start) in first.chain(second) {
            let window: String = chars[start..start + TEXT_WINDOW].iter().collect();
            let candidates = phrase_rows(conn, &window, cap)?;
            if candidates.len() as i64 >= cap {
                continue;
            }
            let mut found = Vec::new();
            for id in candidates {
                if found.len() as i64 >= limit {
                    break;
                }
                if let Some(column) = column_holding(conn, id, text)? {
                    found.push((id, Some(column)));
                }
            }
            return Ok(found);
        }
    }
    let rows = phrase_rows(conn, text, limit)?;
    if !label {
        return Ok(rows.into_iter().map(|id| (id, None)).collect());
    }
    rows.into_iter()
        .map(|id| Ok((id, column_holding(conn, id, text)?)))
        .collect()
}

/// Which of a customer's searchable columns holds `text`, first of name, company, email.
fn column_holding(conn: &Connection, id: i64, text: &str) -> Result<Option<&'static str>> {
    let columns: Option<[Option<String>; 3]> = conn
        .prepare_cached(TEXT_ROW_SQL)?
        .query_row([id], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
        .optional()?;
    Ok(columns.and_then(|cs| {
        ["name", "company", "email"]
            .into_iter()
            .zip(cs)
            .find(|(_, c)| c.as_deref().is_some_and(|c| c.contains(text)))
            .map(|(name, _)| name)
    }))
}

/// Runs the probes in rank order and keeps each customer's best match, stopping once `limit`
/// customers are found. Without `label` the field of a text match is the probe's (a count
/// needs only who matched, and naming the column costs a read per row).
pub(crate) fn find(
    conn: &Connection,
    query: &str,
    rules: &PhoneRules,
    limit: usize,
    label: bool,
) -> Result<Vec<Match>> {
    let mut found: Vec<Match> = Vec::new();
    let mut seen: HashMap<i64, ()> = HashMap::new();
    for probe in probes(query, rules) {
        if found.len() >= limit {
            break;
        }
        // A whole email address, pinyin, initials or code that matched needs no search for
        // text that merely contains it; that trigram search is the slowest probe on a big
        // database (common trigrams such as "com" are in most rows).
        if matches!(probe, Probe::Text(..))
            && found.iter().any(|m| {
                m.rank == MatchRank::Exact
                    && matches!(m.field, "email" | "pinyin" | "initials" | "code")
            })
        {
            break;
        }
        let (rank, field) = match &probe {
            Probe::Exact(_, rank, field) | Probe::Prefix(_, rank, field) => (*rank, *field),
            Probe::Text(_, field) => (MatchRank::Substring, *field),
        };
        for (id, matched) in run_probe(
            conn,
            &probe,
            (limit - found.len()) as i64 + seen.len() as i64,
            label,
        )? {
            if found.len() >= limit {
                break;
            }
            if seen.insert(id, ()).is_none() {
                found.push(Match {
                    customer_id: id,
                    rank,
                    field: matched.unwrap_or(field),
                    phone: PhoneHit::of(&probe),
                });
            }
        }
    }
    found.sort_by_key(|m| m.rank);
    Ok(found)
}

/// `EXPLAIN QUERY PLAN` of every statement a query runs, one line per plan step, so tests can
/// prove lookup never scans the customer or contact tables.
pub(crate) fn explain(conn: &Connection, query: &str, rules: &PhoneRules) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for probe in probes(query, rules) {
        let (sql, args): (&str, Vec<String>) = match &probe {
            Probe::Exact(key, ..) => (EXACT_SQL, vec![key.clone(), "10".into()]),
            Probe::Prefix(key, ..) => (
                PREFIX_SQL,
                vec![key.clone(), prefix_upper_bound(key), "10".into()],
            ),
            Probe::Text(text, _) => (TEXT_SQL, vec![fts_phrase(text), "10".into()]),
        };
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(3)
        })?;
        for row in rows {
            lines.push(format!("{sql} => {}", row?));
        }
    }
    Ok(lines)
}

/// Default number of results.
pub const DEFAULT_LIMIT: usize = 20;

/// A lookup counts its matches up to this many; past it the count is "200+". Counting every
/// match of a broad query ("张" on a million customers) would cost a read per match; this many
/// are index reads of well under a millisecond.
pub const COUNT_CAP: usize = 200;

/// The first rows of a lookup and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    pub results: Vec<SearchResult>,
    /// How many customers match, counted up to the larger of [`COUNT_CAP`] and the rows asked
    /// for.
    pub total: usize,
    /// More customers match than `total` says (the count stopped at its cap).
    pub more: bool,
}

impl Store {
    /// The first `rows` results of a lookup and their count (exact up to [`COUNT_CAP`], or the
    /// rows asked for when more): what the lookup list shows, "20 of 171" or "20 of 200+".
    pub fn search_page(&self, actor: &Actor, query: &str, rows: usize) -> Result<SearchPage> {
        let rows = rows.max(1);
        let matches = find(self.conn(), query, self.phone_rules(), rows, true)?;
        let matched = matches.len();
        let results = self.results_of(actor, matches)?;
        if matched < rows {
            // Fewer than asked for: every match is here (less any customer gone since).
            return Ok(SearchPage {
                total: results.len(),
                more: false,
                results,
            });
        }
        let cap = rows.max(COUNT_CAP);
        let counted = find(self.conn(), query, self.phone_rules(), cap + 1, false)?.len();
        Ok(SearchPage {
            results,
            total: counted.min(cap),
            more: counted > cap,
        })
    }

    /// Looks customers up by anything an operator might type (DESIGN §3.2), best first.
    pub fn search(&self, actor: &Actor, query: &str, limit: usize) -> Result<Vec<SearchResult>> {
        let matches = find(self.conn(), query, self.phone_rules(), limit.max(1), true)?;
        self.results_of(actor, matches)
    }

    /// The result rows of matches, in their order (a customer gone since is left out).
    fn results_of(&self, actor: &Actor, matches: Vec<Match>) -> Result<Vec<SearchResult>> {
        let ids: Vec<i64> = matches.iter().map(|m| m.customer_id).collect();
        let mut summaries: HashMap<i64, CustomerSummary> = self
            .customer_summaries(actor, &ids)?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut out = Vec::with_capacity(matches.len());
        for m in matches {
            let Some(customer) = summaries.remove(&m.customer_id) else {
                continue;
            };
            let matched_contact = match &m.phone {
                Some(hit) if !customer.restricted => self.matched_phone(customer.id, hit)?,
                _ => None,
            };
            out.push(SearchResult {
                customer,
                rank: m.rank,
                matched: m.field,
                matched_contact,
            });
        }
        Ok(out)
    }

    /// The customer's first number that a phone probe found, masked.
    fn matched_phone(&self, customer_id: i64, hit: &PhoneHit) -> Result<Option<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT value FROM contacts WHERE customer_id = ?1 AND kind = 'phone'
             ORDER BY position, id",
        )?;
        let values = stmt.query_map([customer_id], |r| r.get::<_, String>(0))?;
        for value in values {
            if let Ok(phone) = normalize_phone(&value?, self.phone_rules()) {
                if hit.fits(&phone.national) {
                    return Ok(Some(phone.masked()));
                }
            }
        }
        Ok(None)
    }

    /// The query plans of a lookup; see [`explain`].
    pub fn explain_search(&self, query: &str) -> Result<Vec<String>> {
        explain(self.conn(), query, self.phone_rules())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 500 customers whose emails share every window but the digits and one Latin name:
    /// "zhangxiuying<n>@outlook.com", so most six-character windows are in more than
    /// `RARE_WINDOW` rows and the digits' windows in few.
    fn texts() -> Connection {
        let conn = Connection::open_in_memory().expect("SQLite");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE customer_text USING fts5(name, company, email, tokenize = 'trigram')",
        )
        .expect("FTS5 trigram");
        for n in 1..=500 {
            conn.execute(
                "INSERT INTO customer_text (rowid, name, company, email) VALUES (?1, ?2, ?3, ?4)",
                params![
                    n,
                    if n == 7 {
                        "anna zhangxiuying"
                    } else {
                        "张秀英"
                    },
                    if n % 100 == 0 {
                        "outlook trading co"
                    } else {
                        ""
                    },
                    format!("zhangxiuying{n}@outlook.com other{n}@163.com"),
                ],
            )
            .expect("insert");
        }
        conn
    }

    #[test]
    fn a_text_match_names_the_column_that_holds_it() {
        let conn = texts();
        let fields = |query: &str| -> Vec<(i64, Option<&'static str>)> {
            text_search(&conn, query, 3, true).expect("search")
        };
        // Short (one phrase) and long (windows), in each column.
        assert_eq!(fields("anna zhangx"), vec![(7, Some("name"))]);
        assert_eq!(
            fields("张秀英"),
            vec![(1, Some("name")), (2, Some("name")), (3, Some("name"))]
        );
        assert_eq!(
            fields("outlook trading"),
            vec![
                (100, Some("company")),
                (200, Some("company")),
                (300, Some("company"))
            ]
        );
        assert_eq!(
            fields("trad"),
            vec![
                (100, Some("company")),
                (200, Some("company")),
                (300, Some("company"))
            ]
        );
        assert_eq!(fields("ying45@outlook.com"), vec![(45, Some("email"))]);
        assert_eq!(fields("other9@"), vec![(9, Some("email"))]);
    }

    #[test]
    fn a_long_text_query_finds_what_the_whole_phrase_finds() {
        let conn = texts();
        // (query, limit, the ids that hold it, worked out from the rows above)
        let cases: &[(&str, i64, &[i64])] = &[
            // A typo'd address: its digits' window is rare, and nobody has it.
            ("zhangxiuying538@outlook.com", 20, &[]),
            ("zhangxiuyimg53@outlook.com", 20, &[]),
            // One whole address, and the end of one.
            ("zhangxiuying123@outlook.com", 20, &[123]),
            ("ying45@outlook.com", 20, &[45]),
            // 12, 120–129: in id order, and cut at the limit.
            (
                "zhangxiuying12",
                20,
                &[12, 120, 121, 122, 123, 124, 125, 126, 127, 128, 129],
            ),
            ("zhangxiuying12", 4, &[12, 120, 121, 122]),
            // Every window common: the whole phrase runs, first 3 by id.
            ("zhangxiuying", 3, &[1, 2, 3]),
            ("@outlook.com", 3, &[1, 2, 3]),
            // In the name column only, and across the space between two emails.
            ("anna zhangx", 20, &[7]),
            ("outlook.com other50@", 20, &[50]),
            // A company holding a window that is common in emails.
            ("outlook trading", 20, &[100, 200, 300, 400, 500]),
        ];
        for (query, limit, want) in cases {
            let got: Vec<i64> = text_search(&conn, query, *limit, true)
                .expect("search")
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            assert_eq!(&got, want, "{query} (limit {limit})");
            // And the whole phrase, FTS5's own answer, agrees.
            assert_eq!(
                phrase_rows(&conn, query, *limit).expect("phrase"),
                got,
                "{query}"
            );
        }
    }
}
