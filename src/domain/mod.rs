//! Pure types and rules of the call-centre domain: no SQL, no terminal, no clock reads.

pub mod calendar;
pub mod care;
pub mod complaint;
pub mod complaint_fact;
pub mod complaint_step;
pub mod contact;
pub mod customer;
pub mod customer_contacts;
pub mod date_input;
pub mod grant;
pub mod import_row;
pub mod interaction;
pub mod loyalty;
pub mod masking;
pub mod operator;
pub mod opportunity;
pub mod pin;
pub mod reminder;
pub mod report;
pub mod search_key;
pub mod segment;
pub mod sla_clock;
pub mod survey;
pub mod tier;

/// Declares a closed vocabulary stored as text in the database and typed on the
/// command line: each variant has one stable snake_case name.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable name stored in the database and accepted on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted names, for error messages.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim().to_lowercase().replace(['-', ' '], "_");
                match wanted.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(crate::domain::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_string(),
                        expected: $name::names(),
                    }),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

/// A word that is not one of a vocabulary's values. Its message names the values and not the
/// vocabulary, whose type name means nothing to the person who typed the word: whoever shows
/// it puts the field or option before it (`--level: 'gold' is not one of normal, vip`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not one of {expected}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
    pub expected: String,
}
