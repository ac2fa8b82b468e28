//! Where the admin endpoint lives: no Anaplan route uses the prefix, and the middleware leaves
//! its requests alone (neither logged nor faulted).

/// Where the admin endpoint lives.
pub const PREFIX: &str = "/__emulator";

/// True for the admin endpoint's own paths.
pub fn is_admin_path(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::is_admin_path;

    #[test]
    fn admin_paths_are_recognised() {
        assert!(is_admin_path("/__emulator/requests"));
        assert!(is_admin_path("/__emulator"));
        assert!(!is_admin_path("/__emulatorx"));
        assert!(!is_admin_path("/2/0/__emulator/requests"));
    }
}
