//! Identifiers in Anaplan's formats (see the wire reference, section 2 "IDs").

use rand::Rng;

/// 32 hex digits, lowercase: users, workspaces, user/customer GUIDs.
pub fn hex32_lower() -> String {
    let v: u128 = rand::thread_rng().gen();
    format!("{v:032x}")
}

/// 32 hex digits, uppercase: models, tasks.
pub fn hex32_upper() -> String {
    let v: u128 = rand::thread_rng().gen();
    format!("{v:032X}")
}

/// RFC 4122 UUID string: token ids.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Next free 12-digit id with the given 3-digit prefix (`113` files, `112` imports, ...), given
/// the ids already taken.
pub fn next_numeric<'a>(prefix: u64, taken: impl Iterator<Item = &'a str>) -> String {
    let base = prefix * 1_000_000_000;
    let max = taken
        .filter_map(|id| id.parse::<u64>().ok())
        .filter(|n| n / 1_000_000_000 == prefix)
        .max()
        .unwrap_or(base);
    (max + 1).to_string()
}

pub const LIST_PREFIX: u64 = 101;
pub const MODULE_PREFIX: u64 = 102;
pub const IMPORT_PREFIX: u64 = 112;
pub const FILE_PREFIX: u64 = 113;
pub const EXPORT_PREFIX: u64 = 116;
pub const ACTION_PREFIX: u64 = 117;
pub const PROCESS_PREFIX: u64 = 118;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_follow_the_highest_taken() {
        let taken = ["113000000004", "113000000002", "112000000009"];
        assert_eq!(
            next_numeric(FILE_PREFIX, taken.iter().copied()),
            "113000000005"
        );
        assert_eq!(
            next_numeric(EXPORT_PREFIX, taken.iter().copied()),
            "116000000001"
        );
    }

    #[test]
    fn hex_ids_have_anaplan_case() {
        let l = hex32_lower();
        let u = hex32_upper();
        assert_eq!(l.len(), 32);
        assert_eq!(u.len(), 32);
        assert!(l
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert!(u
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    }
}
