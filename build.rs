//! Reads libphonenumber's numbering plan for the mainland (region CN) out of the metadata the
//! `phonenumber` crate carries, and writes it as constants that `domain/contact.rs` includes:
//! careline checks mainland numbers against libphonenumber's own patterns without carrying a
//! copy of them, and a newer crate brings newer patterns with it.

use std::fmt::Write as _;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let cn = phonenumber::metadata::DATABASE
        .by_id("CN")
        .unwrap_or_else(|| panic!("libphonenumber's metadata has no region CN"));
    let d = cn.descriptors();
    // The metadata's patterns are laid out over lines; the numbers have no spaces.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let kinds = [
        (
            "GENERAL",
            "Every number of the region (`generalDesc`).",
            Some(d.general()),
        ),
        (
            "FIXED_LINE",
            "Landlines: area code and local number.",
            d.fixed_line(),
        ),
        ("MOBILE", "Mobiles, in the ranges allocated.", d.mobile()),
        ("TOLL_FREE", "Toll free (800).", d.toll_free()),
        ("PREMIUM_RATE", "Premium rate (160, 168).", d.premium_rate()),
        (
            "SHARED_COST",
            "Shared cost (400, 950, 96xxx).",
            d.shared_cost(),
        ),
    ];
    let mut out = String::new();
    for (name, doc, descriptor) in kinds {
        let descriptor =
            descriptor.unwrap_or_else(|| panic!("libphonenumber's metadata for CN has no {name}"));
        let pattern = squeeze(descriptor.national_number().as_str());
        let _ = writeln!(out, "/// {doc}\npub const {name}: &str = {pattern:?};");
    }
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|e| panic!("OUT_DIR: {e}")))
            .join("mainland_plan.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}
