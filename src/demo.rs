//! `careline demo`: fills a database with realistic generated customers, purchases,
//! interactions and complaints, reproducibly from a seed.
//!
//! Proportions (documented in the README):
//! - names: 2 in 3 Chinese (weighted common surnames, one- or two-character given names),
//!   1 in 3 Latin; 1 in 10 customers are enterprises with a company;
//! - contacts: every customer a mainland mobile (unique); 1 in 4 also a landline with area
//!   code and 1 in 10 of those an extension; 3 in 5 an email;
//! - tags on 2 in 5; VIP level 1 in 30; confidential 1 in 100; do-not-contact 1 in 50;
//!   marketing consent 3 in 5; members 1 in 5 with an expiry within two years;
//! - purchases: 7 in 10 customers buy, 1–8 orders over the last two years; 1 in 20 (of all)
//!   are regular buyers of a filter set about once a month over the last 6–12 months;
//! - points: every purchase earns its points (`[loyalty] points_per_yuan`) on its day, about
//!   1 in 3 customers with 200 points or more redeemed part of them in a logged contact (after
//!   a gain that brought them to 200, before the next), and
//!   what was left of each lot was written off on the day it expired, oldest first, as a daily
//!   `careline points expire` would have (see `store::demo_load`);
//! - interactions: about 5 per customer over two years, over all channels and dispositions,
//!   with handle times of 1–15 minutes for calls; of those that reached the customer, about 1 in
//!   4 ended with a CSAT survey and 1 in 5 with an NPS one (never twice in 90 days; see
//!   `store::demo_load`);
//! - complaints: 1 in 5 customers has one, played step by step as the store works one (see
//!   `complaint_life`) and consistent with the configured clocks and calendar. The first ten of
//!   a demo take every status once (the tenth a duplicate merged into the customer's other
//!   complaint); after them 1 complaint in 50 is still open (new 1 : acknowledged 2 : in
//!   progress 4 : escalated 2 : waiting 2 : solution proposed 2 : reopened 1), 1 in 100 is
//!   resolved and waits for its follow-up call, the rest are closed (so about 4,000 of the
//!   200,000 complaints of a million customers are open, and 2,000 resolved); 1 in 100 has a
//!   duplicate merged into it. Open ones opened as long ago as their steps took and a little
//!   more, so some clocks run, some are due soon and some are breached; closed ones opened over
//!   the last two years, early enough for their steps to be over by now. On the way: 1 in 6 escalated (levels 1, 2, 3 as 6 : 3 : 2), 1 in 5
//!   waited and resumed, 1 in 4 of those with a solution proposed compensated (every kind alike;
//!   points credited to the points ledger), a follow-up reminder for every resolution, a CSAT
//!   survey at every follow-up call (1 in 12 closed ones reopened once by an unhappy customer,
//!   1 in 10 closed without a call); with `auto_escalate`, every clock breached on the way
//!   escalated once by `system`, as the sweep does;
//! - sales opportunities: about 1 in 30 customers (1 in 8 enterprises and public bodies) has
//!   one, made in the last year and moved a stage every 2–20 days since (see
//!   `store::demo_load`).

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::calendar::Calendar;
use crate::domain::complaint::{Severity, SlaRules};
use crate::domain::contact::ContactKind;
use crate::domain::customer::{
    ContactInput, CustomerFields, CustomerKind, Level, Membership, Source,
};
use crate::domain::interaction::LogRules;
use crate::domain::operator::Actor;
use crate::domain::search_key::pinyin_full;
pub use crate::store::DemoCounts;
use crate::store::{
    DemoComplaint, DemoCustomer, DemoInteraction, DemoLoad, DemoPurchase, DemoTexts, LoadStart,
    Result, Store,
};

mod complaint_life;

use complaint_life::{Opening, Stage};

const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 70),
    ("张", 68),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("黄", 23),
    ("赵", 22),
    ("吴", 21),
    ("周", 21),
    ("徐", 15),
    ("孙", 15),
    ("马", 13),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 10),
    ("高", 10),
    ("林", 10),
    ("罗", 10),
    ("郑", 9),
    ("梁", 9),
    ("谢", 7),
    ("宋", 7),
    ("唐", 7),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 6),
    ("曹", 6),
    ("彭", 6),
    ("曾", 6),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 3),
    ("夏", 3),
    ("韦", 3),
    ("方", 3),
    ("白", 2),
    ("邹", 2),
    ("孟", 2),
    ("熊", 2),
    ("秦", 2),
    ("邱", 2),
    ("江", 2),
    ("尹", 2),
    ("薛", 2),
    ("段", 2),
    ("雷", 2),
    ("侯", 2),
    ("龙", 2),
    ("史", 2),
    ("欧阳", 1),
    ("司马", 1),
    ("上官", 1),
];
const GIVEN_TWO: &[&str] = &[
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "建华", "建国", "建军", "志强", "志明",
    "秀梅", "桂芳", "晓燕", "小红", "海燕", "玉梅", "桂珍", "欣怡", "子涵", "梓涵", "一诺", "浩然",
    "宇轩", "子轩", "雨桐", "思琪", "文博", "俊杰", "晓东", "丽华", "春梅", "国强", "国华", "婷婷",
    "佳怡", "嘉欣", "明辉", "永刚", "红梅", "淑珍", "德明", "振华", "雅琴", "慧敏", "晨阳", "梦瑶",
];
const GIVEN_ONE: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "丹", "玲", "萍", "鹏", "华", "红", "飞", "斌", "宇", "浩", "凯", "婷",
    "雪", "颖", "琳", "晶", "波", "辉", "鑫", "峰",
];
const LATIN_FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Emma",
    "Olivia",
    "Noah",
    "Liam",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Chloe",
    "Hannah",
    "Oscar",
    "Grace",
    "Leo",
];
const LATIN_LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Chan",
    "Wong",
    "Ng",
];
const CITIES: &[(&str, &str, &str)] = &[
    ("北京", "010", "朝阳区建国路"),
    ("上海", "021", "浦东新区世纪大道"),
    ("广州", "020", "天河区体育西路"),
    ("深圳", "0755", "南山区科技园"),
    ("杭州", "0571", "西湖区文三路"),
    ("南京", "025", "鼓楼区中山路"),
    ("成都", "028", "武侯区人民南路"),
    ("武汉", "027", "江汉区解放大道"),
    ("西安", "029", "雁塔区长安南路"),
    ("重庆", "023", "渝中区解放碑"),
    ("天津", "022", "和平区南京路"),
    ("苏州", "0512", "工业园区星湖街"),
    ("长沙", "0731", "岳麓区麓山南路"),
    ("郑州", "0371", "金水区花园路"),
    ("青岛", "0532", "市南区香港中路"),
];
const COMPANY_WORDS: &[&str] = &[
    "星辰", "宏远", "华信", "恒通", "瑞丰", "金桥", "远航", "博雅", "天成", "新锐",
];
const COMPANY_KINDS: &[&str] = &[
    "科技有限公司",
    "贸易有限公司",
    "电子有限公司",
    "物流有限公司",
    "餐饮管理有限公司",
];
const LATIN_COMPANIES: &[&str] = &[
    "Harbour Trading Ltd",
    "Bluepeak Systems",
    "Northwind Logistics",
    "Evergreen Foods",
    "Summit Retail Group",
];
const INDUSTRIES: &[&str] = &[
    "retail",
    "manufacturing",
    "logistics",
    "software",
    "catering",
    "education",
    "healthcare",
];
const TAGS: &[&str] = &[
    "frequent-buyer",
    "price-sensitive",
    "wechat-preferred",
    "new-customer",
    "gift-buyer",
    "after-sales",
    "referral-source",
];
const MAIL_DOMAINS: &[&str] = &[
    "163.com",
    "qq.com",
    "126.com",
    "sina.com",
    "gmail.com",
    "outlook.com",
    "example.com",
];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183",
    "186", "187", "188", "189", "198", "199",
];
const PRODUCTS: &[(&str, &str, i64, i64)] = &[
    ("扫地机器人", "home appliance", 1_999, 4_999),
    ("空气净化器", "home appliance", 899, 3_299),
    ("智能手表", "electronics", 699, 2_999),
    ("蓝牙耳机", "electronics", 199, 1_299),
    ("电饭煲", "kitchen", 299, 1_599),
    ("净水器", "home appliance", 1_299, 5_999),
    ("Extended warranty", "service", 99, 499),
    ("滤芯套装", "consumables", 59, 399),
];
const CHANNELS: &[((&str, &str), u32)] = &[
    (("phone_in", "inbound"), 45),
    (("phone_out", "outbound"), 20),
    (("email", "inbound"), 10),
    (("chat", "inbound"), 15),
    (("sms", "outbound"), 4),
    (("social", "inbound"), 3),
    (("visit", "inbound"), 3),
];
const DISPOSITIONS: &[(&str, u32)] = &[
    ("resolved_first_contact", 30),
    ("information_given", 25),
    ("callback_needed", 10),
    ("complaint_opened", 4),
    ("sale", 8),
    ("no_answer", 10),
    ("voicemail", 6),
    ("wrong_number", 2),
    ("follow_up_done", 5),
];
const SUMMARIES: &[&str] = &[
    "咨询产品使用方法，已详细说明。",
    "询问订单物流进度，已查询并告知预计送达时间。",
    "反馈滤芯需要更换，已推荐套装。",
    "Asked about warranty terms; explained coverage.",
    "预约上门安装，已登记时间。",
    "回访满意度，客户表示满意。",
    "Requested invoice copy; sent by email.",
    "咨询会员续费优惠，已说明活动规则。",
    "未接通，稍后再拨。",
    "投诉送货延迟，已登记并道歉。",
];
const COMPLAINT_TITLES: &[(&str, &str)] = &[
    ("product_quality", "设备运行有异响"),
    ("delivery", "送货延迟三天"),
    ("after_sales", "维修人员未按约上门"),
    ("service_attitude", "客服态度不耐烦"),
    ("price", "购买后一周降价要求补差"),
    ("other", "发票信息有误"),
    ("product_quality", "Screen flickers after update"),
];

/// How much data to generate.
#[derive(Debug, Clone, Copy)]
pub struct DemoSpec {
    pub customers: u64,
    pub seed: u64,
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &items[0].0
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// A unique mainland mobile for customer `i`: the eight subscriber digits are `i` times a
/// number coprime with 10^8, so they never repeat, and the last four digits of the first
/// 10,000 customers all differ (in a big database each suffix is shared by a few callers, as
/// in life).
fn mobile(i: u64, seed: u64) -> String {
    const SCRAMBLE: u64 = 54_435_761; // odd and not a multiple of 5: coprime with 10^8
    let n = (i % 100_000_000)
        .wrapping_mul(SCRAMBLE)
        .wrapping_add(seed.wrapping_mul(7_919))
        % 100_000_000;
    let prefix =
        MOBILE_PREFIXES[((i / 7).wrapping_add(seed) % MOBILE_PREFIXES.len() as u64) as usize];
    format!("{prefix}{n:08}")
}

/// Generates one customer's fields.
fn customer(rng: &mut ChaCha8Rng, i: u64, seed: u64, today: NaiveDate) -> CustomerFields {
    let chinese = rng.random_ratio(2, 3);
    let (name, email_base) = if chinese {
        let surname = weighted(rng, SURNAMES);
        let given = if rng.random_ratio(3, 5) {
            pick(rng, GIVEN_TWO)
        } else {
            pick(rng, GIVEN_ONE)
        };
        let name = format!("{surname}{given}");
        let base = pinyin_full(&name).unwrap_or_else(|| format!("user{i}"));
        (name, base)
    } else {
        let first = pick(rng, LATIN_FIRST);
        let last = pick(rng, LATIN_LAST);
        (
            format!("{first} {last}"),
            format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
        )
    };
    let (city, area, street) = CITIES[rng.random_range(0..CITIES.len())];
    let enterprise = rng.random_ratio(1, 10);
    let mut contacts = vec![ContactInput {
        kind: ContactKind::Phone,
        value: mobile(i, seed),
        label: Some("mobile".into()),
    }];
    if rng.random_ratio(1, 4) {
        let mut local = rng.random_range(20_000_000..89_999_999u32);
        // Every city here has 8-digit local numbers (libphonenumber's plan for CN: Hangzhou,
        // Shenzhen… dropped 7 digits long ago), and 010/021-800… is kept for 10800/21800
        // toll-free numbers. The draw that once picked a 7-digit number stays, so that the
        // rest of the demo data is what it was.
        let _seven_digits_once = area.len() == 4 && rng.random_bool(0.3);
        if local / 100_000 == 800 {
            local += 100_000;
        }
        let ext = if rng.random_ratio(1, 10) {
            format!(" 转{}", rng.random_range(100..999))
        } else {
            String::new()
        };
        contacts.push(ContactInput {
            kind: ContactKind::Phone,
            value: format!("{area}-{local}{ext}"),
            label: Some(if enterprise { "office" } else { "home" }.into()),
        });
    }
    if rng.random_ratio(3, 5) {
        contacts.push(ContactInput {
            kind: ContactKind::Email,
            value: format!("{email_base}{}@{}", i % 1000, pick(rng, MAIL_DOMAINS)),
            label: None,
        });
    }
    let mut tags = Vec::new();
    if rng.random_ratio(2, 5) {
        tags.push(pick(rng, TAGS).to_string());
        if rng.random_ratio(1, 3) {
            tags.push(pick(rng, TAGS).to_string());
        }
    }
    let vip = rng.random_ratio(1, 30);
    if vip {
        tags.push("vip".into());
    }
    let member = rng.random_ratio(1, 5);
    let consent = rng.random_ratio(3, 5);
    let days =
        |rng: &mut ChaCha8Rng, lo: i64, hi: i64| today + Duration::days(rng.random_range(lo..hi));
    CustomerFields {
        name,
        code: None,
        kind: if enterprise {
            CustomerKind::Enterprise
        } else {
            CustomerKind::Individual
        },
        company: enterprise.then(|| {
            if chinese {
                format!(
                    "{city}{}{}",
                    pick(rng, COMPANY_WORDS),
                    pick(rng, COMPANY_KINDS)
                )
            } else {
                pick(rng, LATIN_COMPANIES).to_string()
            }
        }),
        industry: enterprise.then(|| pick(rng, INDUSTRIES).to_string()),
        birthday: (!enterprise && rng.random_ratio(4, 5)).then(|| days(rng, -365 * 70, -365 * 18)),
        region: Some(city.to_string()),
        address: rng
            .random_ratio(1, 2)
            .then(|| format!("{city}市{street}{}号", rng.random_range(1..300))),
        source: Some(Source::ALL[rng.random_range(0..Source::ALL.len())]),
        level: if vip { Level::Vip } else { Level::Normal },
        membership: if member {
            Membership::Member
        } else {
            Membership::None
        },
        membership_expiry: member.then(|| days(rng, -30, 700)),
        confidential: rng.random_ratio(1, 100),
        do_not_contact: rng.random_ratio(1, 50),
        marketing_consent: consent,
        consent_date: consent.then(|| days(rng, -900, -1)),
        consent_channel: consent.then_some(crate::domain::customer::ConsentChannel::Import),
        // Most profiles were verified within the year: the draw's 1–700 days ago, scaled to
        // 1–370, leaves about one customer in a hundred due for verification (a care team
        // keeps up; it is not a backlog of everyone).
        last_verified: Some({
            let drawn = days(rng, -700, -1);
            today - Duration::days((today - drawn).num_days() * 370 / 700)
        }),
        tags,
        contacts,
        ..CustomerFields::default()
    }
}

/// Fills the database with `spec.customers` generated customers and their history (see
/// [`Store::load_demo`]). Refuses a database that already holds customers unless `force`.
pub fn generate(
    store: &mut Store,
    actor: &Actor,
    spec: DemoSpec,
    force: bool,
    progress: &dyn Fn(u64),
) -> Result<DemoCounts> {
    let actors: Vec<Actor> = store.operators()?.into_iter().map(Actor::from).collect();
    let operators: Vec<i64> = actors.iter().map(|a| a.id).collect();
    let log = store.log_rules().clone();
    let sla = store.sla_rules().clone();
    let calendar = store.calendar().clone();
    let load = DemoLoad {
        customers: spec.customers,
        seed: spec.seed,
        force,
        texts: DemoTexts {
            products: &PRODUCT_NAMES,
            categories: &PRODUCT_CATEGORIES,
            purchase_channels: PURCHASE_CHANNELS,
            channels: &CHANNEL_NAMES,
            dispositions: &DISPOSITION_NAMES,
            summaries: SUMMARIES,
        },
    };
    let (log, sla, operators, actors, calendar) = (&log, &sla, &operators, &actors, &calendar);
    store.load_demo(actor, &load, progress, move |start| Generator {
        spec,
        start,
        log,
        sla,
        calendar,
        operators,
        actors,
        rng: ChaCha8Rng::seed_from_u64(spec.seed),
        made: 0,
        complaints: 0,
    })
}

/// Customers generated at a time; the store writes each batch's customers before their history.
const BATCH: u64 = 64;

/// Generates the customers of a demo, in order, in batches of [`BATCH`].
struct Generator<'a> {
    spec: DemoSpec,
    start: LoadStart,
    log: &'a LogRules,
    sla: &'a SlaRules,
    calendar: &'a Calendar,
    operators: &'a [i64],
    /// The operators, as who works the complaints.
    actors: &'a [Actor],
    rng: ChaCha8Rng,
    /// Customers generated so far.
    made: u64,
    /// Complaints generated so far (not counting duplicates).
    complaints: u64,
}

impl Iterator for Generator<'_> {
    type Item = Vec<DemoCustomer>;

    fn next(&mut self) -> Option<Vec<DemoCustomer>> {
        let n = self.made;
        if n >= self.spec.customers {
            return None;
        }
        let size = BATCH.min(self.spec.customers - n);
        let batch = (n..n + size).map(|k| self.customer(k)).collect();
        self.made += size;
        Some(batch)
    }
}

impl Generator<'_> {
    /// The `n`th customer of the demo (from 0), with its history.
    fn customer(&mut self, n: u64) -> DemoCustomer {
        let LoadStart {
            first_id,
            now,
            today,
        } = self.start;
        let id = first_id + n as i64;
        let rng = &mut self.rng;
        let fields = customer(rng, id as u64, self.spec.seed, today);
        let purchases = orders(rng, today)
            .into_iter()
            .chain(regular_orders(self.spec.seed, id, today))
            .enumerate()
            .map(|(k, order)| order.purchase(id, k))
            .collect();
        let interactions = interactions(rng, self.operators, now)
            .iter()
            .map(|h| h.logged(self.log, now.timestamp()))
            .collect();
        let stage = Stage {
            rules: self.sla,
            calendar: self.calendar,
            actors: self.actors,
            now,
        };
        let complaints = complaint(
            rng,
            &stage,
            Life {
                seed: self.spec.seed,
                customer: id,
                number: self.complaints,
            },
            fields.level == Level::Vip,
        )
        .map_or_else(Vec::new, |c| {
            self.complaints += 1;
            c.records
        });
        DemoCustomer {
            fields,
            purchases,
            interactions,
            complaints,
        }
    }
}

/// One generated purchase, before its customer has an id.
struct Order {
    product: &'static str,
    category: &'static str,
    day: NaiveDate,
    quantity: i64,
    amount: i64,
    channel: &'static str,
}

/// Where a purchase was made.
const PURCHASE_CHANNELS: &[&str] = &["online", "store"];

/// No purchases for 3 customers in 10, otherwise 1–8 orders over the last two years.
fn orders(rng: &mut ChaCha8Rng, today: NaiveDate) -> Vec<Order> {
    if !rng.random_ratio(7, 10) {
        return Vec::new();
    }
    let count = rng.random_range(1..=8u64);
    (0..count)
        .map(|_| {
            let (product, category, lo, hi) = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
            let day = today - Duration::days(rng.random_range(0..730));
            let quantity = if rng.random_ratio(1, 6) { 2 } else { 1 };
            let amount = rng.random_range(lo..=hi) * 100 * quantity;
            let channel = if rng.random_bool(0.6) {
                PURCHASE_CHANNELS[0]
            } else {
                PURCHASE_CHANNELS[1]
            };
            Order {
                product,
                category,
                day,
                quantity,
                amount,
                channel,
            }
        })
        .collect()
}

/// Mixed into the seed of the regular buyers' streams.
const REGULAR_SEED: u64 = 0x7265_6775_6c61_7273;

/// A regular buyer's monthly orders: 1 customer in 20 buys a filter set about once a month
/// over the last 6 to 12 months (so month after month some customers buy again, and the
/// retention figure has something to count). Drawn from a stream of its own for the customer,
/// leaving the generator's draws as they were.
fn regular_orders(seed: u64, customer: i64, today: NaiveDate) -> Vec<Order> {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ REGULAR_SEED ^ (customer as u64).wrapping_mul(0x9E37_79B9),
    );
    if !rng.random_ratio(1, 20) {
        return Vec::new();
    }
    let months = rng.random_range(6..=12i64);
    let (product, category, lo, hi) = PRODUCTS[PRODUCTS.len() - 1];
    (0..months)
        .map(|m| Order {
            product,
            category,
            day: today - Duration::days(m * 30 + rng.random_range(0..20)),
            quantity: 1,
            amount: rng.random_range(lo..=hi) * 100,
            channel: PURCHASE_CHANNELS[0],
        })
        .collect()
}

impl Order {
    /// The `k`th order of customer `customer`.
    fn purchase(self, customer: i64, k: usize) -> DemoPurchase {
        DemoPurchase {
            order_no: format!("SO{customer:08}{k:02}"),
            day: self.day,
            quantity: self.quantity,
            amount_cents: self.amount,
            product: self.product,
            category: self.category,
            channel: self.channel,
        }
    }
}

/// One generated interaction.
struct Interaction {
    operator: i64,
    channel: &'static str,
    direction: &'static str,
    disposition: &'static str,
    started: i64,
    ended: i64,
    summary: &'static str,
}

/// 1–9 interactions over the last two years.
fn interactions(rng: &mut ChaCha8Rng, operators: &[i64], now: DateTime<Utc>) -> Vec<Interaction> {
    let count = rng.random_range(1..=9u64);
    (0..count)
        .map(|_| {
            let (channel, direction) = *weighted(rng, CHANNELS);
            let disposition = *weighted(rng, DISPOSITIONS);
            let started = now.timestamp() - rng.random_range(600..730 * 86_400);
            let handle = if channel.starts_with("phone") {
                rng.random_range(60..900)
            } else {
                rng.random_range(30..300)
            };
            let operator = operators[rng.random_range(0..operators.len())];
            Interaction {
                operator,
                channel,
                direction,
                disposition,
                started,
                ended: started + handle,
                summary: pick(rng, SUMMARIES),
            }
        })
        .collect()
}

/// One generated complaint (and a duplicate merged into it, for some), with the deadlines it
/// opened with (which the tests check against the configured targets).
struct Complaint {
    #[cfg_attr(not(test), expect(dead_code, reason = "the tests check it"))]
    severity: &'static str,
    #[cfg_attr(not(test), expect(dead_code, reason = "the tests check it"))]
    opened: i64,
    /// Acknowledge, propose and resolve by, as opened.
    #[cfg_attr(not(test), expect(dead_code, reason = "the tests check it"))]
    due: [i64; 3],
    records: Vec<DemoComplaint>,
}

/// Where a complaint's life draws from: its own stream of the demo's seed, one per customer,
/// so that the customers after it are what they were before complaints had a life.
#[derive(Debug, Clone, Copy)]
struct Life {
    seed: u64,
    customer: i64,
    /// The complaint's number in the demo (from 0).
    number: u64,
}

/// Mixed into the seed of the complaints' streams.
const LIFE_SEED: u64 = 0x636f_6d70_6c61_696e;

/// A complaint for 1 customer in 5 (see the module's proportions).
fn complaint(rng: &mut ChaCha8Rng, stage: &Stage<'_>, life: Life, vip: bool) -> Option<Complaint> {
    if !rng.random_ratio(1, 5) {
        return None;
    }
    let (category, title) = COMPLAINT_TITLES[rng.random_range(0..COMPLAINT_TITLES.len())];
    let severity = *weighted(
        rng,
        &[
            (Severity::Low, 2),
            (Severity::Normal, 5),
            (Severity::High, 2),
            (Severity::Critical, 1),
        ],
    );
    let opener = legacy_draws(rng, stage, severity);
    let mut own = ChaCha8Rng::seed_from_u64(life.seed ^ LIFE_SEED);
    own.set_stream(life.customer as u64);
    let (status, duplicate) = complaint_life::destination(life.number, &mut own);
    let opening = Opening {
        opener,
        channel: complaint_life::channel(status, &mut own),
        category,
        severity,
        title,
        vip,
    };
    let (opened, due, records) =
        complaint_life::complaints(*stage, &opening, status, duplicate, &mut own);
    Some(Complaint {
        severity: severity.as_str(),
        opened: opened.timestamp(),
        due: due.map(|t| t.timestamp()),
        records,
    })
}

/// The draws the generator made for a complaint before complaints had a life, made still (and
/// their results left unused, but for who opened it) so that every customer after this one is
/// what it was. A resolution target of an hour or less once made an empty range here.
fn legacy_draws(rng: &mut ChaCha8Rng, stage: &Stage<'_>, severity: Severity) -> usize {
    let resolve_hours = stage.rules.resolve_hours(severity);
    let still_open = rng.random_ratio(1, 10);
    let _opened: i64 = if still_open {
        rng.random_range(600..4 * 86_400)
    } else {
        rng.random_range(5 * 86_400..700 * 86_400)
    };
    let opener = rng.random_range(0..stage.actors.len());
    let _acknowledged: i64 = rng.random_range(60..1_800);
    let _proposed: i64 = rng.random_range(600..7_200);
    if resolve_hours > 1 {
        let _resolved: i64 = rng.random_range(3_600..resolve_hours.saturating_mul(3_600));
    }
    if still_open {
        let _status = weighted(rng, &[(0, 1), (1, 2), (2, 3), (3, 1)]);
    } else {
        let _csat: i32 = rng.random_range(2..=5);
    }
    opener
}

// The texts of the purchase and interaction columns that take a few (see `DemoTexts`).
static PRODUCT_NAMES: LazyLock<Vec<&str>> =
    LazyLock::new(|| PRODUCTS.iter().map(|p| p.0).collect());
static PRODUCT_CATEGORIES: LazyLock<Vec<&str>> =
    LazyLock::new(|| PRODUCTS.iter().map(|p| p.1).collect());
static CHANNEL_NAMES: LazyLock<Vec<&str>> =
    LazyLock::new(|| CHANNELS.iter().map(|((channel, _), _)| *channel).collect());
static DISPOSITION_NAMES: LazyLock<Vec<&str>> =
    LazyLock::new(|| DISPOSITIONS.iter().map(|(d, _)| *d).collect());

/// Inbound email and chat of the last week that needed a reply are still waiting for one
/// (the desk's "due replies"); older ones were answered an hour after the contact ended.
pub(crate) const AWAITING_REPLY_SECS: i64 = 7 * 86_400;

impl Interaction {
    /// When a reply is due, as the log rules set it for a contact logged now, and when it came.
    fn reply(&self, log: &LogRules, now: i64) -> (Option<i64>, Option<i64>) {
        let (Ok(channel), Ok(direction), Some(disposition)) = (
            self.channel.parse(),
            self.direction.parse(),
            log.disposition(self.disposition),
        ) else {
            return (None, None);
        };
        let Some(started) = DateTime::from_timestamp(self.started, 0) else {
            return (None, None);
        };
        let reply_by = log
            .reply_by(channel, direction, disposition, started)
            .map(|t| t.timestamp());
        let replied = reply_by
            .filter(|_| now - self.started > AWAITING_REPLY_SECS)
            .map(|_| self.ended + 3_600);
        (reply_by, replied)
    }

    /// The contact as logged, with its reply as the log rules ask for it.
    fn logged(&self, log: &LogRules, now: i64) -> DemoInteraction {
        let (reply_by, replied_at) = self.reply(log, now);
        DemoInteraction {
            operator: self.operator,
            channel: self.channel,
            direction: self.direction,
            disposition: self.disposition,
            started: self.started,
            ended: self.ended,
            summary: self.summary,
            reply_by,
            replied_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact::{normalize_phone, PhoneRules};

    /// An operator working the demo's complaints.
    fn actor(id: i64) -> Actor {
        Actor {
            id,
            login: format!("op{id}"),
            name: format!("Operator {id}"),
            role: crate::domain::operator::Role::Operator,
            via: None,
        }
    }

    #[test]
    fn mobiles_are_unique_and_valid() {
        let rules = PhoneRules::default();
        let mut seen = std::collections::HashSet::new();
        let mut suffixes = std::collections::HashSet::new();
        for i in 1..12_000 {
            let m = mobile(i, 7);
            assert!(normalize_phone(&m, &rules).is_ok(), "{m}");
            assert!(
                seen.insert(m[3..].to_string()),
                "subscriber digits repeat: {m}"
            );
            if i <= 10_000 {
                assert!(
                    suffixes.insert(m[m.len() - 4..].to_string()),
                    "suffix repeats early: {m}"
                );
            }
        }
    }

    #[test]
    fn generated_complaints_follow_the_configured_sla_targets() {
        // Targets unlike the defaults, so that copied numbers would show.
        let sla = SlaRules {
            acknowledge_minutes: 10,
            propose_minutes: 50,
            resolve_hours_critical: 5,
            resolve_hours_high: 6,
            resolve_hours_normal: 7,
            resolve_hours_low: 8,
            vip_factor: 0.25,
            ..SlaRules::default()
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("a time");
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let actors = [actor(1), actor(2)];
        let calendar = sla.working_calendar();
        let stage = Stage {
            rules: &sla,
            calendar: &calendar,
            actors: &actors,
            now,
        };
        let mut seen = 0;
        for n in 0..400 {
            let vip = n % 2 == 0;
            let life = Life {
                seed: 7,
                customer: n,
                number: seen,
            };
            let Some(c) = complaint(&mut rng, &stage, life, vip) else {
                continue;
            };
            seen += 1;
            let hours = match c.severity {
                "critical" => 5,
                "high" => 6,
                "normal" => 7,
                _ => 8,
            };
            let scale = |secs: i64| if vip { secs / 4 } else { secs };
            assert_eq!(
                c.due,
                [
                    c.opened + scale(600),
                    c.opened + scale(3_000),
                    c.opened + scale(hours * 3_600)
                ],
                "{} vip={vip}",
                c.severity
            );
        }
        assert!(
            seen > 40,
            "about one customer in five has a complaint: {seen}"
        );
    }

    #[test]
    fn a_resolution_target_of_an_hour_or_less_still_makes_complaints() {
        // The generator once drew a resolution time from an empty range for these, and panicked.
        for hours in [0, 1] {
            let sla = SlaRules {
                resolve_hours_critical: hours,
                resolve_hours_high: hours,
                resolve_hours_normal: hours,
                resolve_hours_low: hours,
                ..SlaRules::default()
            };
            let calendar = sla.working_calendar();
            let actors = [actor(1)];
            let stage = Stage {
                rules: &sla,
                calendar: &calendar,
                actors: &actors,
                now: DateTime::from_timestamp(1_800_000_000, 0).expect("a time"),
            };
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let made = (0..100)
                .filter_map(|n| {
                    let life = Life {
                        seed: 3,
                        customer: n,
                        number: n as u64,
                    };
                    complaint(&mut rng, &stage, life, false)
                })
                .count();
            assert!(made > 5, "{made}");
        }
    }

    #[test]
    fn generated_customers_are_valid_records() {
        let rules = PhoneRules::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut chinese = 0;
        for i in 1..300 {
            let c = customer(&mut rng, i, 1, today);
            assert!(crate::domain::customer::validate(&c).is_empty(), "{c:?}");
            for contact in &c.contacts {
                if contact.kind == ContactKind::Phone {
                    assert!(
                        normalize_phone(&contact.value, &rules).is_ok(),
                        "{}",
                        contact.value
                    );
                }
            }
            if crate::domain::search_key::has_cjk(&c.name) {
                chinese += 1;
            }
        }
        assert!(
            (150..250).contains(&chinese),
            "about two thirds Chinese: {chinese}/299"
        );
    }
}
