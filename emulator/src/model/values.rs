//! Line-item formats: checking an imported value and storing it in one canonical form.

/// The formats a line item may have.
pub const FORMATS: &[&str] = &["NUMBER", "TEXT", "DATE", "BOOLEAN"];

/// Checks `raw` against `format` and returns the value to store, or the row's error message.
/// An empty value clears the cell and is valid in every format.
pub fn normalize(format: &str, raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    match format {
        "NUMBER" => number(v).ok_or_else(|| format!("Invalid number: {raw}")),
        "DATE" => date(v).ok_or_else(|| format!("Invalid date: {raw}")),
        "BOOLEAN" => boolean(v).ok_or_else(|| format!("Invalid boolean: {raw}")),
        _ => Ok(raw.to_string()),
    }
}

/// A plain decimal number (sign, digits, one point, optional exponent); `inf`, `NaN` and
/// hexadecimal are refused even though Rust would parse some of them.
fn number(v: &str) -> Option<String> {
    let plain = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    let parsed: f64 = v.parse().ok()?;
    (plain && has_digit && parsed.is_finite()).then(|| v.to_string())
}

/// Dates as `YYYY-MM-DD` (the API's ISO form), also `YYYY/MM/DD` and `DD.MM.YYYY`, which are
/// unambiguous. Stored as `YYYY-MM-DD`.
fn date(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 && !v.contains('.') {
        (*a, *b, *c)
    } else if c.len() == 4 && v.contains('.') {
        (*c, *b, *a)
    } else {
        return None;
    };
    let all_digits = [y, m, d]
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()));
    if !all_digits {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    (valid_day(y, m, d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

fn valid_day(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d) && y >= 1
}

fn boolean(v: &str) -> Option<String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some("true".into()),
        "false" | "no" | "n" | "0" => Some("false".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn numbers() {
        assert_eq!(normalize("NUMBER", "72000"), Ok("72000".into()));
        assert_eq!(normalize("NUMBER", " -1.5e3 "), Ok("-1.5e3".into()));
        assert_eq!(
            normalize("NUMBER", "not a number"),
            Err("Invalid number: not a number".into())
        );
        assert!(normalize("NUMBER", "inf").is_err());
        assert!(normalize("NUMBER", "NaN").is_err());
        assert!(normalize("NUMBER", "1e999").is_err());
        assert!(normalize("NUMBER", ".").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(normalize("DATE", "2016-02-29"), Ok("2016-02-29".into()));
        assert_eq!(normalize("DATE", "2016/2/9"), Ok("2016-02-09".into()));
        assert_eq!(normalize("DATE", "31.12.2019"), Ok("2019-12-31".into()));
        assert_eq!(
            normalize("DATE", "2017-02-29"),
            Err("Invalid date: 2017-02-29".into())
        );
        assert!(normalize("DATE", "1900-02-29").is_err());
        assert!(normalize("DATE", "2000-02-29").is_ok());
        assert!(normalize("DATE", "12/31/2019").is_err());
        assert!(normalize("DATE", "2019-13-01").is_err());
        assert!(normalize("DATE", "2019-1-1-1").is_err());
    }

    #[test]
    fn booleans_text_and_empty() {
        assert_eq!(normalize("BOOLEAN", "Yes"), Ok("true".into()));
        assert_eq!(normalize("BOOLEAN", "0"), Ok("false".into()));
        assert_eq!(
            normalize("BOOLEAN", "maybe"),
            Err("Invalid boolean: maybe".into())
        );
        assert_eq!(
            normalize("TEXT", " keep spaces "),
            Ok(" keep spaces ".into())
        );
        assert_eq!(normalize("NUMBER", "  "), Ok(String::new()));
    }
}
