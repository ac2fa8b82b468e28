//! Identifiers in Anaplan's formats, as recorded in
//! `emulator/tests/fixtures/anaplan-connect-fixtures/` and described in
//! `emulator/tests/fixtures/anaplan-openapi/integration-openapi.json`.

use rand::Rng;

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

/// The prefix of file ids, the only numeric ids the emulator makes (for a file uploaded under an
/// id it does not know). The others come from the seed: lists 101, modules 102, imports 112,
/// exports 116, actions 117, processes 118, line items 206.
pub const FILE_PREFIX: u64 = 113;

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
        assert_eq!(next_numeric(116, taken.iter().copied()), "116000000001");
    }

    #[test]
    fn hex_ids_have_anaplan_case() {
        let u = hex32_upper();
        assert_eq!(u.len(), 32);
        assert!(u
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    }
}
