//! Importing customers and purchases from spreadsheets (CSV): UTF-8 with or without BOM, or
//! GBK/GB18030 from Chinese Excel; headers in English or Chinese. Every row is checked before
//! anything is written; every rejected row is reported with its line, column and reason.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::contact::{ContactKind, PhoneRules};
use crate::domain::customer::{normalize_tag, ContactInput, CustomerFields, FieldError, Level};
use crate::domain::customer_contacts::NormalContact;
use crate::domain::date_input::parse_date;
pub use crate::domain::import_row::{PurchaseRow, RowError};

pub mod surveys;
use crate::domain::search_key::fold;
use crate::domain::tier::parse_money;

/// Decodes a CSV file's bytes: UTF-8 (a BOM is dropped), otherwise GB18030 (a superset of GBK).
/// Returns the text and the encoding it was read as.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::GB18030.decode(bytes);
            (text.into_owned(), "GBK")
        }
    }
}

/// Opens an import file as UTF-8 text read a piece at a time, however large: UTF-8 (a BOM is
/// dropped) when every byte of it is, otherwise GB18030 (a superset of GBK), decoded as it is
/// read. Returns the reader and the encoding it reads.
pub fn open_text(
    path: &std::path::Path,
) -> std::io::Result<(Box<dyn std::io::Read + Send>, &'static str)> {
    use std::io::Read;
    // A file named by the user is opened with the user's rights (on a shared host, not the
    // database group's).
    let open = || crate::host::as_user(|| std::fs::File::open(path));
    let mut file = open()?;
    // One pass over the bytes decides the encoding; the text is never held whole.
    let mut validator = Utf8Check::default();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 || !validator.feed(&buffer[..n]) {
            break;
        }
    }
    let utf8 = validator.finish();
    let file = open()?;
    let builder = {
        let mut b = encoding_rs_io::DecodeReaderBytesBuilder::new();
        if utf8 {
            b.utf8_passthru(true).strip_bom(true);
        } else {
            b.encoding(Some(encoding_rs::GB18030));
        }
        b
    };
    let reader = std::io::BufReader::with_capacity(1 << 16, builder.build(file));
    Ok((Box::new(reader), if utf8 { "UTF-8" } else { "GBK" }))
}

/// Whether a stream of bytes is UTF-8, fed in pieces that may cut a character in two.
#[derive(Default)]
struct Utf8Check {
    /// The start of a character the last piece ended inside.
    carry: Vec<u8>,
    bad: bool,
}

impl Utf8Check {
    /// False once the bytes are known not to be UTF-8.
    fn feed(&mut self, piece: &[u8]) -> bool {
        let joined;
        let bytes = if self.carry.is_empty() {
            piece
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), piece].concat();
            joined.as_slice()
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            // Cut at the end of the piece: the rest of the character comes with the next one.
            Err(e) if e.error_len().is_none() => {
                self.carry = bytes[e.valid_up_to()..].to_vec();
            }
            Err(_) => self.bad = true,
        }
        !self.bad
    }

    fn finish(self) -> bool {
        !self.bad && self.carry.is_empty()
    }
}

/// Why a row of a masked export is refused.
pub const MASKED_ROW: &str = "this row comes from a masked export: its phones, emails and address are masked and cannot be imported; export again as someone who sees contacts in full ([privacy] full_contacts)";

/// A customer column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerColumn {
    Name,
    Code,
    Kind,
    Phone,
    Email,
    Wechat,
    Company,
    Industry,
    CompanySize,
    Occupation,
    IncomeBand,
    Birthday,
    Region,
    Address,
    Source,
    Level,
    Membership,
    MembershipExpiry,
    Interests,
    Preferences,
    PreferredChannel,
    PreferredTime,
    Owner,
    Confidential,
    DoNotContact,
    MarketingConsent,
    ConsentDate,
    ConsentChannel,
    Notes,
    Tags,
    LastVerified,
    /// A figure careline derives from purchases (`tier`, `spend_12m`, `orders_12m`,
    /// `last_purchase` in its own exports): accepted so an export reads back, never imported.
    Derived,
    /// `masked` in careline's own exports: a row whose contacts and address were masked is
    /// refused (a mask is never stored in place of a number).
    Masked,
}

/// A purchase column of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurchaseColumn {
    Customer,
    Phone,
    Email,
    OrderNo,
    Date,
    Amount,
    Product,
    Category,
    Quantity,
    Channel,
}

/// Folds a header for matching: lower case, no spaces, underscores, dashes or brackets.
fn header_key(h: &str) -> String {
    fold(h)
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '(' | ')' | '（' | '）' | '*'))
        .collect()
}

fn customer_column(header: &str) -> Option<CustomerColumn> {
    use CustomerColumn::*;
    Some(match header_key(header).as_str() {
        "name" | "fullname" | "customername" | "customer" | "姓名" | "客户名称" | "客户姓名"
        | "名称" | "客户" | "联系人" => Name,
        "code" | "customercode" | "customerid" | "客户编号" | "编号" | "客户代码" | "客户号" => {
            Code
        }
        "kind" | "type" | "customertype" | "客户类型" | "类型" | "客户类别" => Kind,
        "phone" | "phones" | "mobile" | "mobilephone" | "cellphone" | "tel" | "telephone"
        | "landline" | "手机" | "手机号" | "手机号码" | "电话" | "电话号码" | "联系电话"
        | "联系方式" | "座机" | "固话" | "固定电话" => Phone,
        "email" | "emails" | "e-mail" | "mail" | "emailaddress" | "邮箱" | "电子邮箱"
        | "电子邮件" | "邮件" => Email,
        "wechat" | "weixin" | "微信" | "微信号" => Wechat,
        "company" | "organisation" | "organization" | "公司" | "公司名称" | "单位" | "工作单位"
        | "企业名称" => Company,
        "industry" | "行业" | "所属行业" => Industry,
        "companysize" | "公司规模" | "企业规模" | "规模" => CompanySize,
        "occupation" | "job" | "jobtitle" | "职业" | "职位" => Occupation,
        "incomeband" | "income" | "收入" | "收入水平" | "收入区间" => IncomeBand,
        "birthday" | "dateofbirth" | "dob" | "birthdate" | "生日" | "出生日期" => Birthday,
        "region" | "city" | "province" | "地区" | "城市" | "省市" | "区域" | "所在地" => {
            Region
        }
        "address" | "地址" | "联系地址" | "详细地址" | "通讯地址" => Address,
        "source" | "来源" | "客户来源" | "渠道来源" => Source,
        "level" | "等级" | "客户等级" | "级别" => Level,
        "membership" | "member" | "会员" | "会员状态" => Membership,
        "membershipexpiry" | "memberuntil" | "会员到期" | "会员到期日" | "会员有效期" => {
            MembershipExpiry
        }
        "interests" | "hobbies" | "兴趣" | "爱好" | "兴趣爱好" => Interests,
        "preferences" | "偏好" => Preferences,
        "preferredchannel" | "偏好渠道" | "联系渠道" => PreferredChannel,
        "preferredtime" | "contacttime" | "偏好时间" | "联系时间" | "方便联系时间" => {
            PreferredTime
        }
        "owner" | "accountmanager" | "负责人" | "客户经理" | "归属人" => Owner,
        "confidential" | "保密" | "保密客户" => Confidential,
        "donotcontact" | "dnc" | "勿扰" | "拒绝联系" | "免打扰" => DoNotContact,
        "marketingconsent" | "consent" | "营销同意" | "同意营销" => MarketingConsent,
        "consentdate" | "同意日期" | "营销同意日期" => ConsentDate,
        "consentchannel" | "consentvia" | "同意渠道" | "营销同意渠道" => ConsentChannel,
        "notes" | "note" | "remarks" | "comment" | "comments" | "备注" | "说明" => Notes,
        "tags" | "tag" | "labels" | "标签" => Tags,
        "lastverified" | "verified" | "核实日期" | "最后核实" => LastVerified,
        "tier" | "spend12m" | "orders12m" | "lastpurchase" => Derived,
        "masked" | "脱敏" | "已脱敏" => Masked,
        _ => return None,
    })
}

fn purchase_column(header: &str) -> Option<PurchaseColumn> {
    use PurchaseColumn::*;
    Some(match header_key(header).as_str() {
        "customer" | "customercode" | "code" | "customerid" | "客户编号" | "客户" | "客户代码"
        | "编号" => Customer,
        "phone" | "mobile" | "手机" | "手机号" | "电话" | "联系电话" => Phone,
        "email" | "邮箱" => Email,
        "orderno" | "order" | "ordernumber" | "orderid" | "订单号" | "订单编号" | "单号" => {
            OrderNo
        }
        "date" | "purchasedon" | "purchasedate" | "orderdate" | "日期" | "购买日期"
        | "下单日期" | "下单时间" | "购买时间" => Date,
        "amount" | "total" | "price" | "金额" | "实付金额" | "订单金额" | "消费金额" | "总价" => {
            Amount
        }
        "product" | "item" | "商品" | "产品" | "商品名称" | "产品名称" => Product,
        "category" | "品类" | "类别" | "商品类别" => Category,
        "quantity" | "qty" | "数量" => Quantity,
        "channel" | "渠道" | "购买渠道" | "销售渠道" => Channel,
        _ => return None,
    })
}

/// A parsed file: the good rows with their line numbers, and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub encoding: &'static str,
    pub rows: Vec<(u64, T)>,
    pub errors: Vec<RowError>,
    /// Headers that match no field, by name.
    pub unknown_columns: Vec<String>,
    /// Rows in the file, header excluded.
    pub total_rows: u64,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            encoding: "UTF-8",
            rows: Vec::new(),
            errors: Vec::new(),
            unknown_columns: Vec::new(),
            total_rows: 0,
        }
    }
}

/// Undoes the formula neutralising of our own exports (`'=…` → `=…`) and trims.
fn cell(value: &str) -> &str {
    let v = value.trim();
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}

/// Reads yes/no in English or Chinese.
fn yes_no(value: &str) -> Option<bool> {
    match fold(value).as_str() {
        "yes" | "y" | "true" | "1" | "是" | "有" | "同意" | "✓" => Some(true),
        "no" | "n" | "false" | "0" | "否" | "无" | "不同意" => Some(false),
        _ => None,
    }
}

/// Reads a vocabulary value, accepting the Chinese words spreadsheets use.
fn vocabulary_value<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    value: &str,
) -> Result<T, String> {
    let english = match value.trim() {
        "个人" => "individual",
        "企业" | "公司" => "enterprise",
        "政府" | "事业单位" | "公共部门" => "public_sector",
        "普通" | "一般" => "normal",
        "VIP" | "vip" | "贵宾" | "VIP客户" | "贵宾客户" => "vip",
        "会员" => "member",
        "非会员" | "无" => "none",
        "到店" => "walk_in",
        "网站" | "官网" => "website",
        "转介绍" | "推荐" => "referral",
        "陌拜" | "电话营销" => "cold_outreach",
        "合作伙伴" | "渠道" => "partner",
        "活动" | "展会" => "event",
        "临时" => "temporary",
        other => other,
    };
    english
        .parse()
        .map_err(|e: crate::domain::UnknownValue| e.to_string())
}

/// Splits a cell holding several values (`a, b；c`).
fn many(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', '，', ';', '；', '|', '、', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn read_records(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(text.as_bytes())
}

/// Parses a customer file; `today` anchors relative dates.
pub fn parse_customers(
    bytes: &[u8],
    today: NaiveDate,
    rules: &PhoneRules,
) -> Parsed<CustomerFields> {
    let (text, encoding) = decode(bytes);
    let mut out = Parsed {
        encoding,
        ..Parsed::default()
    };
    let mut rows = CustomerRows::new(text.as_bytes(), today, rules.clone());
    out.unknown_columns = rows.unknown_columns().to_vec();
    for row in &mut rows {
        match row {
            Ok(good) => out.rows.push((good.line, good.fields)),
            Err(errors) => out.errors.extend(errors),
        }
    }
    out.total_rows = rows.total_rows();
    out
}

/// A customer row that passed its own checks: its line, its fields and its contacts
/// normalised as the store keeps them.
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub line: u64,
    pub fields: CustomerFields,
    pub contacts: Vec<NormalContact>,
}

/// The rows of a customer file, read one at a time (a file of millions of rows is never held
/// whole): each row is its fields with its line, or every problem found in it.
pub struct CustomerRows<R: std::io::Read> {
    reader: csv::Reader<R>,
    headers: Vec<String>,
    columns: Vec<Option<CustomerColumn>>,
    unknown: Vec<String>,
    /// A broken header: reported once, as the only row.
    header_error: Option<RowError>,
    record: csv::StringRecord,
    total_rows: u64,
    today: NaiveDate,
    rules: PhoneRules,
}

impl<R: std::io::Read> CustomerRows<R> {
    pub fn new(text: R, today: NaiveDate, rules: PhoneRules) -> CustomerRows<R> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::None)
            .from_reader(text);
        let mut header_error = None;
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_string).collect(),
            Err(e) => {
                header_error = Some(RowError {
                    line: 1,
                    column: "header".into(),
                    reason: e.to_string(),
                });
                Vec::new()
            }
        };
        let columns: Vec<Option<CustomerColumn>> =
            headers.iter().map(|h| customer_column(h)).collect();
        let unknown = headers
            .iter()
            .zip(&columns)
            .filter(|(h, c)| c.is_none() && !h.trim().is_empty())
            .map(|(h, _)| h.trim().to_string())
            .collect();
        if header_error.is_none() && !columns.contains(&Some(CustomerColumn::Name)) {
            header_error = Some(RowError {
                line: 1,
                column: "header".into(),
                reason: "no name column (name / 姓名 / 客户名称)".into(),
            });
        }
        CustomerRows {
            reader,
            headers,
            columns,
            unknown,
            header_error,
            record: csv::StringRecord::new(),
            total_rows: 0,
            today,
            rules,
        }
    }

    /// Headers that match no field, by name.
    pub fn unknown_columns(&self) -> &[String] {
        &self.unknown
    }

    /// Rows read so far, header and blank lines excluded.
    pub fn total_rows(&self) -> u64 {
        self.total_rows
    }

    /// Bytes of the file read so far.
    pub fn position(&self) -> u64 {
        self.reader.position().byte()
    }

    /// Checks one record's cells.
    fn row(&self, line: u64) -> Result<CheckedRow, Vec<RowError>> {
        let (headers, columns) = (&self.headers, &self.columns);
        let mut fields = CustomerFields::default();
        let mut problems: Vec<FieldError> = Vec::new();
        for (i, raw) in self.record.iter().enumerate() {
            let Some(Some(column)) = columns.get(i) else {
                continue;
            };
            let value = cell(raw);
            if value.is_empty() {
                continue;
            }
            let header = headers.get(i).map(String::as_str).unwrap_or("?");
            if let Err(reason) = apply_customer_cell(&mut fields, *column, value, self.today) {
                problems.push(FieldError::new(header, reason));
            }
        }
        if fields.tags.iter().any(|t| is_vip_tag(t)) {
            fields.level = Level::Vip;
        }
        // Consent in a file that does not say how it was given came with the import.
        if fields.marketing_consent && fields.consent_channel.is_none() {
            fields.consent_channel = Some(crate::domain::customer::ConsentChannel::Import);
        }
        let mut checked = crate::domain::customer::validate(&fields);
        // The contacts as the store keeps them: normalising them checks them.
        let contacts = match crate::domain::customer_contacts::normalize_contacts(
            &fields.contacts,
            &self.rules,
        ) {
            Ok(contacts) => contacts,
            Err(mut errs) => {
                checked.append(&mut errs);
                Vec::new()
            }
        };
        for e in checked {
            let column = header_for(headers, columns, &e.field);
            problems.push(FieldError::new(column, e.reason));
        }
        if problems.is_empty() {
            Ok(CheckedRow {
                line,
                fields,
                contacts,
            })
        } else {
            Err(problems
                .into_iter()
                .map(|p| RowError {
                    line,
                    column: p.field,
                    reason: p.reason,
                })
                .collect())
        }
    }
}

impl<R: std::io::Read> Iterator for CustomerRows<R> {
    type Item = Result<CheckedRow, Vec<RowError>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(error) = self.header_error.take() {
            // Nothing after a broken header can be read as rows.
            self.columns.clear();
            return Some(Err(vec![error]));
        }
        if self.columns.is_empty() {
            return None;
        }
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    self.total_rows += 1;
                    let line = e.position().map_or(self.total_rows + 1, |p| p.line());
                    return Some(Err(vec![RowError {
                        line,
                        column: "row".into(),
                        reason: e.to_string(),
                    }]));
                }
            }
            if self.record.iter().all(|v| v.trim().is_empty()) {
                continue; // blank lines are not rows
            }
            self.total_rows += 1;
            let line = self
                .record
                .position()
                .map_or(self.total_rows + 1, |p| p.line());
            return Some(self.row(line));
        }
    }
}

/// A tag that marks a VIP in a spreadsheet (`vip`, `#VIP`, `贵宾`): VIP is a level (DESIGN
/// §3.6), so such a tag sets it, whatever the level column says.
fn is_vip_tag(tag: &str) -> bool {
    normalize_tag(tag)
        .is_some_and(|t| matches!(t.as_str(), "vip" | "贵宾" | "vip客户" | "贵宾客户"))
}

/// The numbers in a phone cell, which may hold several separated by ; or ， — but not by ","
/// inside one number with an extension, which the phone rules read. A `;name=value` after a
/// number is a parameter of its URI (`tel:+86-21-6529-4356;ext=12`) and stays with it.
fn phones_in_cell(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for piece in value.split([';', '；', '|', '、', '\n']).map(str::trim) {
        match out.last_mut() {
            Some(number) if piece.contains('=') && number.contains(':') => {
                number.push(';');
                number.push_str(piece);
            }
            _ if piece.is_empty() => {}
            _ => out.push(piece.to_string()),
        }
    }
    out
}

/// Names a validation error by the header the user wrote, where there is one.
fn header_for(headers: &[String], columns: &[Option<CustomerColumn>], field: &str) -> String {
    let base = field.split(' ').next().unwrap_or(field);
    let wanted = match base {
        "name" => Some(CustomerColumn::Name),
        "phone" => Some(CustomerColumn::Phone),
        "email" => Some(CustomerColumn::Email),
        "wechat" => Some(CustomerColumn::Wechat),
        "code" => Some(CustomerColumn::Code),
        "membership_expiry" => Some(CustomerColumn::MembershipExpiry),
        "consent_date" => Some(CustomerColumn::ConsentDate),
        "tags" => Some(CustomerColumn::Tags),
        "address" => Some(CustomerColumn::Address),
        _ => None,
    };
    wanted
        .and_then(|w| columns.iter().position(|c| *c == Some(w)))
        .and_then(|i| headers.get(i))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|| field.to_string())
}

fn apply_customer_cell(
    f: &mut CustomerFields,
    column: CustomerColumn,
    value: &str,
    today: NaiveDate,
) -> Result<(), String> {
    use CustomerColumn::*;
    let text = || Some(value.to_string());
    let date = || {
        parse_date(value, today)
            .map(Some)
            .map_err(|e| e.to_string())
    };
    let flag = || yes_no(value).ok_or_else(|| format!("'{value}' is not yes/no (是/否)"));
    match column {
        Name => f.name = value.to_string(),
        Code => f.code = text(),
        Kind => f.kind = vocabulary_value(value)?,
        Phone | Email | Wechat => {
            let kind = match column {
                Phone => ContactKind::Phone,
                Email => ContactKind::Email,
                _ => ContactKind::Wechat,
            };
            let values: Vec<String> = if kind == ContactKind::Phone {
                phones_in_cell(value)
            } else {
                many(value).map(str::to_string).collect()
            };
            f.contacts
                .extend(values.into_iter().map(|value| ContactInput {
                    kind,
                    value,
                    label: None,
                }));
        }
        Company => f.company = text(),
        Industry => f.industry = text(),
        CompanySize => f.company_size = text(),
        Occupation => f.occupation = text(),
        IncomeBand => f.income_band = text(),
        Birthday => f.birthday = date()?,
        Region => f.region = text(),
        Address => f.address = text(),
        Source => f.source = Some(vocabulary_value(value)?),
        Level => f.level = vocabulary_value(value)?,
        Membership => f.membership = vocabulary_value(value)?,
        MembershipExpiry => f.membership_expiry = date()?,
        Interests => f.interests = text(),
        Preferences => f.preferences = text(),
        PreferredChannel => f.preferred_channel = Some(vocabulary_value(value)?),
        PreferredTime => f.preferred_time = text(),
        Owner => f.owner = text(),
        Confidential => f.confidential = flag()?,
        DoNotContact => f.do_not_contact = flag()?,
        MarketingConsent => f.marketing_consent = flag()?,
        ConsentDate => f.consent_date = date()?,
        ConsentChannel => {
            f.consent_channel = Some(
                crate::domain::customer::ConsentChannel::from_file(value)
                    .map_err(|e| e.to_string())?,
            )
        }
        Notes => f.notes = text(),
        Tags => f.tags.extend(many(value).map(str::to_string)),
        LastVerified => f.last_verified = date()?,
        Derived => {}
        Masked if flag()? => return Err(MASKED_ROW.into()),
        Masked => {}
    }
    Ok(())
}

/// The rows of a CSV file whose headers `column` reads: the headers it does not know noted,
/// a header row lacking what `missing` names (given whether a column is there) refused at
/// line 1, blank rows left out, and each other row handed to `each` with its line and its
/// non-empty cells by column (with the header they came under).
fn each_row<C, T>(
    bytes: &[u8],
    column: fn(&str) -> Option<C>,
    missing: impl Fn(&dyn Fn(C) -> bool) -> Vec<String>,
    mut each: impl FnMut(u64, &HashMap<C, (&str, &str)>, &mut Parsed<T>),
) -> Parsed<T>
where
    C: Copy + Eq + std::hash::Hash,
{
    let (text, encoding) = decode(bytes);
    let mut out = Parsed {
        encoding,
        ..Parsed::default()
    };
    let mut reader = read_records(&text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            out.errors.push(RowError {
                line: 1,
                column: "header".into(),
                reason: e.to_string(),
            });
            return out;
        }
    };
    let columns: Vec<Option<C>> = headers.iter().map(|h| column(h)).collect();
    for (h, c) in headers.iter().zip(&columns) {
        if c.is_none() && !h.trim().is_empty() {
            out.unknown_columns.push(h.trim().to_string());
        }
    }
    let lacking = missing(&|c| columns.contains(&Some(c)));
    if !lacking.is_empty() {
        out.errors.push(RowError {
            line: 1,
            column: "header".into(),
            reason: format!("needs {}", lacking.join(", ")),
        });
        return out;
    }
    for record in reader.records() {
        out.total_rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(out.total_rows + 1, |p| p.line());
                out.errors.push(RowError {
                    line,
                    column: "row".into(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(out.total_rows + 1, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            out.total_rows -= 1;
            continue;
        }
        let mut values: HashMap<C, (&str, &str)> = HashMap::new();
        for (i, raw) in record.iter().enumerate() {
            if let (Some(Some(c)), Some(h)) = (columns.get(i), headers.get(i)) {
                let v = cell(raw);
                if !v.is_empty() {
                    values.entry(*c).or_insert((h.as_str(), v));
                }
            }
        }
        each(line, &values, &mut out);
    }
    out
}

/// Parses a purchase file.
pub fn parse_purchases(bytes: &[u8], today: NaiveDate) -> Parsed<PurchaseRow> {
    let missing = |has: &dyn Fn(PurchaseColumn) -> bool| {
        let mut missing = Vec::new();
        if !(has(PurchaseColumn::Customer)
            || has(PurchaseColumn::Phone)
            || has(PurchaseColumn::Email))
        {
            missing.push("a customer column (客户编号 / 手机 / 邮箱)".to_string());
        }
        if !has(PurchaseColumn::Date) {
            missing.push("a date column (date / 购买日期)".to_string());
        }
        if !has(PurchaseColumn::Amount) {
            missing.push("an amount column (amount / 金额)".to_string());
        }
        missing
    };
    each_row(bytes, purchase_column, missing, |line, values, out| {
        let mut problems = Vec::new();
        let mut problem = |column: &str, reason: String| {
            problems.push(RowError {
                line,
                column: column.trim().to_string(),
                reason,
            })
        };
        let customer = [
            PurchaseColumn::Customer,
            PurchaseColumn::Phone,
            PurchaseColumn::Email,
        ]
        .iter()
        .find_map(|c| values.get(c).map(|(_, v)| v.to_string()));
        if customer.is_none() {
            problem(
                "customer",
                "is empty; give the customer's code, phone or email".into(),
            );
        }
        let date = match values.get(&PurchaseColumn::Date) {
            Some((h, v)) => parse_date(v, today)
                .map_err(|e| problem(h, e.to_string()))
                .ok(),
            None => {
                problem("date", "is empty".into());
                None
            }
        };
        if let Some(d) = date.filter(|d| *d > today) {
            problem("date", format!("{d} is in the future"));
        }
        let amount = match values.get(&PurchaseColumn::Amount) {
            Some((h, v)) => match parse_money(v) {
                Some(a) => Some(a),
                None => {
                    problem(h, format!("'{v}' is not an amount of money"));
                    None
                }
            },
            None => {
                problem("amount", "is empty".into());
                None
            }
        };
        let quantity = match values.get(&PurchaseColumn::Quantity) {
            Some((h, v)) => match v.parse::<i64>() {
                Ok(q) if q > 0 => q,
                _ => {
                    problem(h, format!("'{v}' is not a whole number above 0"));
                    1
                }
            },
            None => 1,
        };
        let text = |c: PurchaseColumn| values.get(&c).map(|(_, v)| v.to_string());
        match (customer, date, amount, problems.is_empty()) {
            (Some(customer), Some(purchased_on), Some(amount_cents), true) => out.rows.push((
                line,
                PurchaseRow {
                    customer,
                    order_no: text(PurchaseColumn::OrderNo),
                    purchased_on,
                    amount_cents,
                    product: text(PurchaseColumn::Product),
                    category: text(PurchaseColumn::Category),
                    quantity,
                    channel: text(PurchaseColumn::Channel),
                },
            )),
            _ => out.errors.extend(problems),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn utf8_with_bom_and_gbk_decode() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFname\n"),
            ("name\n".to_string(), "UTF-8")
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,手机\n王秀英,13812345678\n");
        let (text, enc) = decode(&gbk);
        assert_eq!(enc, "GBK");
        assert!(text.contains("王秀英"));
    }

    #[test]
    fn chinese_headers_map_to_fields() {
        let csv = "姓名,手机,邮箱,生日,地址,公司,行业,标签,备注\n王秀英,138 1234 5678,WXY@Example.com,1980年3月5日,北京市朝阳区,星辰科技,retail,\"vip，老客户\",常客\n";
        let parsed = parse_customers(csv.as_bytes(), today(), &PhoneRules::default());
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.unknown_columns.is_empty());
        let (line, c) = &parsed.rows[0];
        assert_eq!(*line, 2);
        assert_eq!(c.name, "王秀英");
        assert_eq!(c.birthday, NaiveDate::from_ymd_opt(1980, 3, 5));
        assert_eq!(c.tags, vec!["vip", "老客户"]);
        assert_eq!(c.contacts.len(), 2);
    }

    #[test]
    fn every_bad_row_is_reported_with_line_and_column() {
        let csv = "name,phone,birthday,shoe size\nAnn Lee,13812345678,1990-01-01,38\nBob,12345,1990-01-01,40\nCarol,13912345678,1990-02-30,39\n,13712345678,,41\n";
        let parsed = parse_customers(csv.as_bytes(), today(), &PhoneRules::default());
        assert_eq!(parsed.unknown_columns, vec!["shoe size"]);
        assert_eq!(parsed.total_rows, 4);
        assert_eq!(parsed.rows.len(), 1);
        let lines: Vec<(u64, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(lines, vec![(3, "phone"), (4, "birthday"), (5, "name")]);
        assert!(
            parsed.errors[0].reason.contains("short"),
            "{}",
            parsed.errors[0].reason
        );
    }

    #[test]
    fn a_file_without_a_name_column_is_refused_at_the_header() {
        let parsed = parse_customers(b"phone\n13812345678\n", today(), &PhoneRules::default());
        assert_eq!(parsed.errors[0].line, 1);
        assert!(parsed.errors[0].reason.contains("name"));
    }

    #[test]
    fn purchases_parse_money_and_dates() {
        let csv = "客户编号,订单号,购买日期,金额,商品\nC0000001,SO1,2026/10/01,\"¥1,299.00\",净水器\nC0000002,SO2,2027-01-01,5,x\nC0000003,SO3,2026-01-01,abc,y\n";
        let parsed = parse_purchases(csv.as_bytes(), today());
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].1.amount_cents, 129_900);
        let cols: Vec<(u64, &str)> = parsed
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(cols, vec![(3, "date"), (4, "金额")]);
    }

    #[test]
    fn neutralised_cells_are_read_back() {
        assert_eq!(cell("'+44 20 7123 4567"), "+44 20 7123 4567");
        assert_eq!(cell("'hello"), "'hello");
    }
}
