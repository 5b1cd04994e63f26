//! The optional PIN an operator types at screen start (DESIGN §5: a second factor beside the
//! OS login). Kept as an argon2 hash; five wrong PINs in a row lock the operator until an
//! admin unlocks them.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use super::customer::FieldError;

/// Wrong PINs in a row that lock an operator.
pub const MAX_WRONG: u32 = 5;

/// A PIN as chosen: 4 to 12 digits.
pub fn check_pin(pin: &str) -> Result<(), FieldError> {
    let digits = pin.chars().count();
    if !pin.chars().all(|c| c.is_ascii_digit()) || !(4..=12).contains(&digits) {
        return Err(FieldError::new("pin", "use 4 to 12 digits"));
    }
    if pin.chars().all(|c| pin.starts_with(c)) {
        return Err(FieldError::new(
            "pin",
            "is one digit repeated; choose another",
        ));
    }
    Ok(())
}

/// The PIN's argon2 hash (with its own random salt), as stored.
pub fn hash_pin(pin: &str) -> Result<String, String> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `pin` is the one `hash` was made from (a hash that cannot be read matches nothing).
pub fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_four_to_twelve_digits_not_all_the_same() {
        assert!(check_pin("2580").is_ok());
        assert!(check_pin("123456789012").is_ok());
        for bad in ["", "123", "1234567890123", "12a4", "１２３４", "0000"] {
            assert!(check_pin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_hash_matches_its_pin_only() {
        let hash = hash_pin("2580").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(pin_matches("2580", &hash));
        assert!(!pin_matches("2581", &hash));
        assert!(!pin_matches("2580", "not a hash"));
        // Salted: the same PIN hashes differently each time.
        assert_ne!(hash, hash_pin("2580").expect("hash"));
    }
}
