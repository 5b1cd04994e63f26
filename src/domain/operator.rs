//! Operators, the acting identity and what each role may do (DESIGN §6). The store checks
//! every call against [`Permission`]'s table, and the screen reads the same table to offer
//! only the keys the operator may use, so the two cannot differ.

use serde::Serialize;

use super::vocabulary;

vocabulary!(
    /// What an operator may do: operator < supervisor < admin.
    Role { Operator => "operator", Supervisor => "supervisor", Admin => "admin" }
);

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Operator => 0,
            Role::Supervisor => 1,
            Role::Admin => 2,
        }
    }

    /// True when this role has at least the rights of `other`.
    pub fn includes(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }

    /// Whether this role may do `what`, by [`Permission::least_role`] (the table as written;
    /// what a site sets for itself, [`Permission::SeeFullContacts`], is asked with the
    /// site's settings: [`Actor::may_with`]).
    pub fn may(self, what: Permission) -> bool {
        self.includes(what.least_role())
    }
}

vocabulary!(
    /// Something only some roles may do. [`Permission::least_role`] is the table.
    Permission {
        ViewCustomer => "view_customer",
        CreateCustomer => "create_customer",
        EditCustomer => "edit_customer",
        MergeCustomers => "merge_customers",
        LogContact => "log_contact",
        OpenComplaint => "open_complaint",
        WorkComplaint => "work_complaint",
        TakeOverComplaint => "take_over_complaint",
        WorkOthersReminders => "work_others_reminders",
        ExportComplaints => "export_complaints",
        SeeConfidential => "see_confidential",
        SeeFullContacts => "see_full_contacts",
        CreateVipOrConfidential => "create_vip_or_confidential",
        SetLevel => "set_level",
        SetConfidential => "set_confidential",
        HandOver => "hand_over",
        ImportCustomers => "import_customers",
        ImportPurchases => "import_purchases",
        ImportSurveys => "import_surveys",
        ExportCustomers => "export_customers",
        ExportPurchases => "export_purchases",
        ExportInteractions => "export_interactions",
        GenerateDemo => "generate_demo",
        CheckDatabase => "check_database",
        ReadAudit => "read_audit",
        ExportPersonalData => "export_personal_data",
        EraseCustomer => "erase_customer",
        GivePrivacy => "give_privacy",
        GrantAccess => "grant_access",
        BackUp => "back_up",
        Restore => "restore",
        AddOperator => "add_operator",
        ChangeOperator => "change_operator",
        ActAsOperator => "act_as_operator",
        ReadReports => "read_reports",
        RepairDatabase => "repair_database",
        DefineSegments => "define_segments",
        ReadSegments => "read_segments",
        ExportSegments => "export_segments",
        CampaignReminders => "campaign_reminders",
        WorkOpportunities => "work_opportunities",
        WorkOthersOpportunities => "work_others_opportunities",
        RedeemPoints => "redeem_points",
        RunLoyaltyJobs => "run_loyalty_jobs"
    }
);

impl Permission {
    /// The table: the least role that may do this (every higher role may too), and what it
    /// is, completing "only a supervisor may …".
    pub fn rule(self) -> (Role, &'static str) {
        use Permission::*;
        let (operator, supervisor, admin) = (Role::Operator, Role::Supervisor, Role::Admin);
        match self {
            ViewCustomer => (operator, "look customers up"),
            CreateCustomer => (operator, "create customers"),
            EditCustomer => (operator, "edit customers"),
            MergeCustomers => (operator, "merge customers"),
            LogContact => (operator, "log contacts"),
            OpenComplaint => (operator, "open complaints"),
            WorkComplaint => (operator, "work complaints"),
            TakeOverComplaint => (supervisor, "move a complaint another operator has claimed"),
            WorkOthersReminders => (supervisor, "work a reminder kept for another operator"),
            ExportComplaints => (supervisor, "export complaints"),
            // The owner and an operator holding a grant see the record too (store::may_see).
            SeeConfidential => (supervisor, "see confidential customers"),
            // The site may raise it (`[privacy] full_contacts`, [`PrivacyRules`]); below it,
            // phones, emails and addresses come masked, on the card too (DESIGN §6).
            SeeFullContacts => (
                operator,
                "see customers' phones, emails and addresses in full",
            ),
            CreateVipOrConfidential => (supervisor, "create VIP or confidential customers"),
            SetLevel => (supervisor, "change a customer's level"),
            SetConfidential => (supervisor, "change whether a customer is confidential"),
            HandOver => (supervisor, "hand a customer over to another owner"),
            ImportCustomers => (supervisor, "import customers"),
            ImportPurchases => (supervisor, "import purchases"),
            ImportSurveys => (supervisor, "import survey answers"),
            ExportCustomers => (supervisor, "export customers"),
            ExportPurchases => (supervisor, "export purchases"),
            ExportInteractions => (supervisor, "export the interaction log"),
            GenerateDemo => (supervisor, "generate demo data"),
            CheckDatabase => (supervisor, "check the database"),
            ReadAudit => (supervisor, "read the audit trail"),
            // These two need the privacy permission as well (`needs_privacy`), whatever the
            // role: the store checks it against the operator's record.
            ExportPersonalData => (operator, "export everything held about a customer"),
            EraseCustomer => (operator, "erase customers"),
            GivePrivacy => (admin, "give or take the privacy permission"),
            GrantAccess => (
                supervisor,
                "grant or refuse access to confidential customers",
            ),
            BackUp => (admin, "back up the database"),
            // Checked against the backup's own operators (the live file may be lost).
            Restore => (admin, "restore a backup"),
            AddOperator => (admin, "add operators"),
            ChangeOperator => (admin, "change operators"),
            ActAsOperator => (admin, "act as another operator (--as)"),
            ReadReports => (supervisor, "read the reports"),
            // Recounting what the database keeps summed (`careline check --recount`).
            RepairDatabase => (admin, "repair the database"),
            // Issue 16: segments are a supervisor's to define and delete; operators count them
            // and read their members (confidential ones as the card shows them: not at all
            // unless they may see them); their lists leave careline, and their reminders reach
            // many customers at once, only by a supervisor.
            DefineSegments => (supervisor, "define or delete segments"),
            ReadSegments => (operator, "count segments and list their members"),
            ExportSegments => (supervisor, "export a segment's members"),
            CampaignReminders => (supervisor, "add a reminder for every member of a segment"),
            // Sales opportunities: an operator adds, moves and closes their own; moving,
            // closing or giving to another operator one they do not own is a supervisor's.
            WorkOpportunities => (operator, "add and work sales opportunities"),
            WorkOthersOpportunities => (
                supervisor,
                "work or assign sales opportunities other operators own",
            ),
            RedeemPoints => (operator, "redeem customers' points"),
            // Nightly jobs over every customer: expiring points, refreshing values and RFM.
            RunLoyaltyJobs => (supervisor, "expire points and refresh customer values"),
        }
    }

    /// Whether this also needs the privacy permission an admin gives to some operators
    /// (DESIGN §6: data-subject export and erase), beside the role.
    pub fn needs_privacy(self) -> bool {
        matches!(
            self,
            Permission::ExportPersonalData | Permission::EraseCustomer
        )
    }

    /// The least role that may do this, as the table has it.
    pub fn least_role(self) -> Role {
        self.rule().0
    }

    /// The least role that may do this on a site with these settings: the table, with the
    /// parts a site sets for itself (`[privacy] full_contacts`) as it set them.
    pub fn least_role_with(self, site: &PrivacyRules) -> Role {
        match self {
            Permission::SeeFullContacts => site.full_contacts,
            _ => self.least_role(),
        }
    }

    /// What it is, completing "only a supervisor may …".
    pub fn what(self) -> &'static str {
        self.rule().1
    }
}

/// `[privacy]` in the config: the part of the table a site sets for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivacyRules {
    /// The least role that sees customers' phones, emails and addresses in full on the card
    /// and in exports ([`Permission::SeeFullContacts`]). Operators by default: they phone
    /// customers back for care calls and return visits; a bank-like site raises it.
    pub full_contacts: Role,
}

impl Default for PrivacyRules {
    fn default() -> Self {
        PrivacyRules {
            full_contacts: Permission::SeeFullContacts.least_role(),
        }
    }
}

impl PrivacyRules {
    /// The setting as written in the config file: a role's name. Anything else is refused
    /// with the names it may be.
    pub fn parse(full_contacts: &str) -> Result<PrivacyRules, super::UnknownValue> {
        Ok(PrivacyRules {
            full_contacts: full_contacts.parse()?,
        })
    }

    /// The strictest setting (admins only), for a site whose setting cannot be read: a
    /// mistyped setting masks more, never less.
    pub fn strictest() -> PrivacyRules {
        PrivacyRules {
            full_contacts: Role::Admin,
        }
    }
}

/// An operator as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Holds the privacy permission (data-subject export and erase).
    pub privacy: bool,
    /// Has a PIN to type when their screen starts.
    pub pin_set: bool,
    /// Locked by five wrong PINs in a row, until an admin unlocks them.
    pub locked: bool,
}

/// Who is doing something: every store call takes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The admin who acts for this operator with `--as`, if any.
    pub via: Option<String>,
}

impl From<Operator> for Actor {
    /// The operator acting as themselves.
    fn from(op: Operator) -> Actor {
        Actor {
            id: op.id,
            login: op.login,
            name: op.name,
            role: op.role,
            via: None,
        }
    }
}

/// An actor asked for something their role does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("only {} {least} may {}; {login} is {role}", article(*.least), .permission.what())]
pub struct Denied {
    pub login: String,
    pub role: Role,
    pub permission: Permission,
    /// The least role that may (the site's, where the site sets it).
    pub least: Role,
}

fn article(role: Role) -> &'static str {
    if role == Role::Admin {
        "an"
    } else {
        "a"
    }
}

impl Actor {
    /// Whether this actor's role may do `what`.
    pub fn may(&self, what: Permission) -> bool {
        self.role.may(what)
    }

    /// Whether this actor's role may do `what` on a site with these settings.
    pub fn may_with(&self, what: Permission, site: &PrivacyRules) -> bool {
        self.role.includes(what.least_role_with(site))
    }

    /// Refuses, naming who may, unless this actor's role may do `what`.
    pub fn require(&self, what: Permission) -> Result<(), Denied> {
        self.require_with(what, &PrivacyRules::default())
    }

    /// Refuses, naming who may, unless this actor's role may do `what` on a site with these
    /// settings.
    pub fn require_with(&self, what: Permission, site: &PrivacyRules) -> Result<(), Denied> {
        if self.may_with(what, site) {
            Ok(())
        } else {
            Err(Denied {
                login: self.login.clone(),
                role: self.role,
                permission: what,
                least: what.least_role_with(site),
            })
        }
    }
}

/// Whether `login` can be an operator's OS login.
pub fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            id: 7,
            login: "li.na".into(),
            name: "李娜".into(),
            role,
            via: None,
        }
    }

    /// Each permission with whether an operator, a supervisor and an admin may, written out
    /// from DESIGN as written: §6 (confidential records: an operator sees only name and code
    /// unless owner or granted; supervisors grant access), §4 (an admin acts for another
    /// operator with `--as`; admins manage operators; `init` makes the first an admin, §5),
    /// §3.6 (VIP is a level an authorised operator sets), §3.1 (operators merge records), and
    /// for imports, exports, demo data and `check`, the refusals the store and CLI made
    /// before this table (tests/cli.rs, tests/store.rs, tests/customers.rs).
    const EXPECTED: &[(Permission, [bool; 3])] = &[
        (Permission::ViewCustomer, [true, true, true]),
        (Permission::CreateCustomer, [true, true, true]),
        (Permission::EditCustomer, [true, true, true]),
        (Permission::MergeCustomers, [true, true, true]),
        (Permission::LogContact, [true, true, true]),
        (Permission::OpenComplaint, [true, true, true]),
        (Permission::WorkComplaint, [true, true, true]),
        // §3.4/issue 13: only the assignee, a supervisor or an admin moves a claimed complaint.
        (Permission::TakeOverComplaint, [false, true, true]),
        // Issue 14: an "only me" reminder is its owner's, or a supervisor's or an admin's.
        (Permission::WorkOthersReminders, [false, true, true]),
        (Permission::ExportComplaints, [false, true, true]),
        (Permission::SeeConfidential, [false, true, true]),
        // Issue 15: by default operators see contacts in full on the card (they phone
        // customers back); a site may raise it ([privacy] full_contacts, tested below).
        (Permission::SeeFullContacts, [true, true, true]),
        (Permission::CreateVipOrConfidential, [false, true, true]),
        (Permission::SetLevel, [false, true, true]),
        (Permission::SetConfidential, [false, true, true]),
        (Permission::HandOver, [false, true, true]),
        (Permission::ImportCustomers, [false, true, true]),
        (Permission::ImportPurchases, [false, true, true]),
        // Issue 16: answers from a survey tool, as purchases are imported.
        (Permission::ImportSurveys, [false, true, true]),
        (Permission::ExportCustomers, [false, true, true]),
        (Permission::ExportPurchases, [false, true, true]),
        (Permission::ExportInteractions, [false, true, true]),
        (Permission::GenerateDemo, [false, true, true]),
        (Permission::CheckDatabase, [false, true, true]),
        // §4/issue 15: `careline audit list` is for supervisors.
        (Permission::ReadAudit, [false, true, true]),
        // Issue 15: by role, anyone; the privacy permission decides (tests/privacy.rs).
        (Permission::ExportPersonalData, [true, true, true]),
        (Permission::EraseCustomer, [true, true, true]),
        (Permission::GivePrivacy, [false, false, true]),
        // §4, §6: a supervisor grants time-limited access to a confidential record.
        (Permission::GrantAccess, [false, true, true]),
        // §4: backups hold everything; restore replaces everything.
        (Permission::BackUp, [false, false, true]),
        (Permission::Restore, [false, false, true]),
        (Permission::AddOperator, [false, false, true]),
        (Permission::ChangeOperator, [false, false, true]),
        (Permission::ActAsOperator, [false, false, true]),
        (Permission::ReadReports, [false, true, true]),
        (Permission::RepairDatabase, [false, false, true]),
        // Issue 16: a supervisor defines segments and runs campaigns on them; operators may
        // count them and read their members.
        (Permission::DefineSegments, [false, true, true]),
        (Permission::ReadSegments, [true, true, true]),
        (Permission::ExportSegments, [false, true, true]),
        (Permission::CampaignReminders, [false, true, true]),
        (Permission::WorkOpportunities, [true, true, true]),
        (Permission::WorkOthersOpportunities, [false, true, true]),
        // Issue 16: operators redeem points on a call; the nightly jobs are a supervisor's.
        (Permission::RedeemPoints, [true, true, true]),
        (Permission::RunLoyaltyJobs, [false, true, true]),
    ];

    #[test]
    fn every_role_may_do_what_the_design_says_and_nothing_more() {
        assert_eq!(
            EXPECTED.len(),
            Permission::ALL.len(),
            "every permission has a row"
        );
        for (permission, [operator, supervisor, admin]) in EXPECTED {
            for (role, expected) in [
                (Role::Operator, operator),
                (Role::Supervisor, supervisor),
                (Role::Admin, admin),
            ] {
                assert_eq!(role.may(*permission), *expected, "{role} may {permission}");
                assert_eq!(actor(role).may(*permission), *expected);
                assert_eq!(actor(role).require(*permission).is_ok(), *expected);
            }
        }
    }

    #[test]
    fn a_site_raises_who_sees_contacts_in_full_and_nothing_else() {
        for (setting, see_full) in [
            ("operator", [true, true, true]),
            ("supervisor", [false, true, true]),
            ("admin", [false, false, true]),
        ] {
            let site = PrivacyRules::parse(setting).expect("a role");
            for (permission, expected) in EXPECTED {
                let expected = if *permission == Permission::SeeFullContacts {
                    &see_full
                } else {
                    expected
                };
                for (role, expected) in [
                    (Role::Operator, expected[0]),
                    (Role::Supervisor, expected[1]),
                    (Role::Admin, expected[2]),
                ] {
                    assert_eq!(
                        actor(role).may_with(*permission, &site),
                        expected,
                        "{role} may {permission} with full_contacts = {setting}"
                    );
                    assert_eq!(
                        actor(role).require_with(*permission, &site).is_ok(),
                        expected
                    );
                }
            }
        }
        assert_eq!(PrivacyRules::default().full_contacts, Role::Operator);
        assert_eq!(PrivacyRules::strictest().full_contacts, Role::Admin);
        let err = PrivacyRules::parse("superviser").expect_err("not a role");
        assert_eq!(
            err.to_string(),
            "'superviser' is not one of operator, supervisor, admin"
        );
        let err = actor(Role::Operator)
            .require_with(
                Permission::SeeFullContacts,
                &PrivacyRules::parse("supervisor").expect("a role"),
            )
            .expect_err("raised");
        assert_eq!(
            err.to_string(),
            "only a supervisor may see customers' phones, emails and addresses in full; li.na is operator"
        );
    }

    #[test]
    fn a_refusal_says_who_may_and_who_asked() {
        let err = actor(Role::Operator)
            .require(Permission::AddOperator)
            .expect_err("an operator adds no operators");
        assert_eq!(
            err.to_string(),
            "only an admin may add operators; li.na is operator"
        );
        let err = actor(Role::Operator)
            .require(Permission::ExportCustomers)
            .expect_err("an operator exports nothing");
        assert_eq!(
            err.to_string(),
            "only a supervisor may export customers; li.na is operator"
        );
        let err = actor(Role::Supervisor)
            .require(Permission::ActAsOperator)
            .expect_err("a supervisor cannot act as another");
        assert_eq!(
            err.to_string(),
            "only an admin may act as another operator (--as); li.na is supervisor"
        );
    }

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Admin.includes(Role::Supervisor));
        assert!(Role::Supervisor.includes(Role::Operator));
        assert!(!Role::Operator.includes(Role::Supervisor));
        assert!(!Role::Supervisor.includes(Role::Admin));
    }

    #[test]
    fn logins_are_os_logins() {
        for good in ["li.na", "amy_lee", "ops-1", "x@corp"] {
            assert!(valid_login(good), "{good}");
        }
        for bad in ["", "li na", "李娜", "a;b", &"x".repeat(65)] {
            assert!(!valid_login(bad), "{bad}");
        }
    }
}
