//! The ids, names and passwords of the bundled seed (`emulator/seed/default.json`), in one place
//! for every test, benchmark and C test (`tests/c_abi.rs` writes them to `seed_ids.h`). A test of
//! this module checks each value against the seed itself, so the two cannot drift apart.

/// The bundled seed's well-known values: `BundledSeed::MODEL`, or [`BundledSeed::ALL`] by name.
pub struct BundledSeed;

impl BundledSeed {
    /// The password user who can see both workspaces.
    pub const USER: &'static str = "integration.user@example.com";
    pub const PASSWORD: &'static str = "Integration-Pass-1";
    pub const USER_ID: &'static str = "8a80db657068f7a1017089f1e4c0001a";
    /// The certificate-only user (no password).
    pub const CERT_USER: &'static str = "cert.user@example.com";
    pub const CERT_USER_ID: &'static str = "8a80db657068f7a1017089f1e4c0002b";
    /// A user who sees only Sales Operations.
    pub const VIEWER: &'static str = "sales.viewer@example.com";
    pub const VIEWER_PASSWORD: &'static str = "Viewer-Pass-1";
    pub const CUSTOMER_ID: &'static str = "b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5";

    /// Financial Planning.
    pub const WS: &'static str = "8a80da9a6b3c21f3016b4d0a8f2b0042";
    pub const WS_NAME: &'static str = "Financial Planning";
    /// Sales Operations.
    pub const WS_SALES: &'static str = "8a80da9a6b3c21f3016b4d0a8f2b0077";

    /// Workforce Planning in Financial Planning, the model with data, imports and a process.
    pub const MODEL: &'static str = "75A40874E6B64FA3AE0E27A0A3A1A9A1";
    pub const MODEL_NAME: &'static str = "Workforce Planning";
    /// Workforce Planning - Sandbox, in Financial Planning.
    pub const MODEL_SANDBOX: &'static str = "2C3E5F7A9B1D4E6F8A0C2E4F6A8B0D12";
    /// Sales Forecast, in Sales Operations.
    pub const MODEL_SALES_FORECAST: &'static str = "9F8E7D6C5B4A49382716051F2E3D4C5B";
    /// The second model named Workforce Planning, in Sales Operations.
    pub const MODEL_WFP_SALES: &'static str = "4B6D8F0A2C4E46A8BACE0246813579BD";

    /// The objects of Workforce Planning (in Financial Planning).
    pub const FILE_EMPLOYEES: &'static str = "113000000001";
    pub const FILE_SALARIES: &'static str = "113000000002";
    pub const IMPORT_EMPLOYEES: &'static str = "112000000001";
    pub const IMPORT_DETAILS: &'static str = "112000000002";
    pub const EXPORT_EMPLOYEES: &'static str = "116000000001";
    pub const EXPORT_DETAILS: &'static str = "116000000002";
    pub const ACTION_DELETE_LEAVERS: &'static str = "117000000001";
    pub const ACTION_CLEAR_EMPLOYEES: &'static str = "117000000002";
    pub const PROCESS_LOAD_EMPLOYEES: &'static str = "118000000001";

    /// The OAuth clients: device grant (non-rotatable and rotatable) and authorization code
    /// (rotatable and not), the latter two with their secrets and redirect URI.
    pub const OAUTH_DEVICE_CLIENT: &'static str = "5f1c0a7e9b3d4c21a8e6f0b2d4c6e8a1";
    pub const OAUTH_ROTATING_DEVICE_CLIENT: &'static str = "6a2d1b8f0c4e4d32b9f7a1c3e5d7f9b2";
    pub const OAUTH_CODE_CLIENT: &'static str = "7b3e2c9a1d5f4e43cae8b2d4f6e8a0c3";
    pub const OAUTH_CODE_CLIENT_SECRET: &'static str = "Web-App-Secret-5";
    pub const OAUTH_FIXED_CODE_CLIENT: &'static str = "8c4f3dab2e6a4f54dbf9c3e5a7f9b1d4";
    pub const OAUTH_FIXED_CODE_CLIENT_SECRET: &'static str = "Reporting-Secret-6";
    pub const OAUTH_REDIRECT_URI: &'static str = "https://127.0.0.1/callback";

    /// Every value by its name, for C (`#define SEED_<NAME> "<value>"`).
    pub const ALL: &'static [(&'static str, &'static str)] = &[
        ("USER", Self::USER),
        ("PASSWORD", Self::PASSWORD),
        ("USER_ID", Self::USER_ID),
        ("CERT_USER", Self::CERT_USER),
        ("CERT_USER_ID", Self::CERT_USER_ID),
        ("VIEWER", Self::VIEWER),
        ("VIEWER_PASSWORD", Self::VIEWER_PASSWORD),
        ("CUSTOMER_ID", Self::CUSTOMER_ID),
        ("WS", Self::WS),
        ("WS_NAME", Self::WS_NAME),
        ("WS_SALES", Self::WS_SALES),
        ("MODEL", Self::MODEL),
        ("MODEL_NAME", Self::MODEL_NAME),
        ("MODEL_SANDBOX", Self::MODEL_SANDBOX),
        ("MODEL_SALES_FORECAST", Self::MODEL_SALES_FORECAST),
        ("MODEL_WFP_SALES", Self::MODEL_WFP_SALES),
        ("FILE_EMPLOYEES", Self::FILE_EMPLOYEES),
        ("FILE_SALARIES", Self::FILE_SALARIES),
        ("IMPORT_EMPLOYEES", Self::IMPORT_EMPLOYEES),
        ("IMPORT_DETAILS", Self::IMPORT_DETAILS),
        ("EXPORT_EMPLOYEES", Self::EXPORT_EMPLOYEES),
        ("EXPORT_DETAILS", Self::EXPORT_DETAILS),
        ("ACTION_DELETE_LEAVERS", Self::ACTION_DELETE_LEAVERS),
        ("ACTION_CLEAR_EMPLOYEES", Self::ACTION_CLEAR_EMPLOYEES),
        ("PROCESS_LOAD_EMPLOYEES", Self::PROCESS_LOAD_EMPLOYEES),
        ("OAUTH_DEVICE_CLIENT", Self::OAUTH_DEVICE_CLIENT),
        (
            "OAUTH_ROTATING_DEVICE_CLIENT",
            Self::OAUTH_ROTATING_DEVICE_CLIENT,
        ),
        ("OAUTH_CODE_CLIENT", Self::OAUTH_CODE_CLIENT),
        ("OAUTH_CODE_CLIENT_SECRET", Self::OAUTH_CODE_CLIENT_SECRET),
        ("OAUTH_FIXED_CODE_CLIENT", Self::OAUTH_FIXED_CODE_CLIENT),
        (
            "OAUTH_FIXED_CODE_CLIENT_SECRET",
            Self::OAUTH_FIXED_CODE_CLIENT_SECRET,
        ),
        ("OAUTH_REDIRECT_URI", Self::OAUTH_REDIRECT_URI),
    ];

    /// [`BundledSeed::ALL`] as a C header of `#define SEED_<NAME> "<value>"` lines.
    pub fn c_header() -> String {
        let mut out = String::from(
            "/* The bundled seed's ids, written by tests/c_abi.rs from \
             anaplan_emulator::BundledSeed. */\n#ifndef SEED_IDS_H\n#define SEED_IDS_H\n",
        );
        for (name, value) in Self::ALL {
            out.push_str(&format!("#define SEED_{name} \"{value}\"\n"));
        }
        out.push_str("#endif\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::BundledSeed as S;
    use crate::seed::Seed;

    #[test]
    fn every_value_is_the_seeds() {
        let seed = Seed::default_seed();
        let user = |email: &str| seed.users.iter().find(|u| u.email == email).unwrap();
        assert_eq!(user(S::USER).id, S::USER_ID);
        assert_eq!(user(S::USER).password.as_deref(), Some(S::PASSWORD));
        assert_eq!(user(S::CERT_USER).id, S::CERT_USER_ID);
        assert_eq!(user(S::CERT_USER).password, None);
        assert_eq!(
            user(S::VIEWER).password.as_deref(),
            Some(S::VIEWER_PASSWORD)
        );
        assert_eq!(seed.customer_id, S::CUSTOMER_ID);
        let ws = |id: &str| seed.workspaces.iter().find(|w| w.id == id).unwrap();
        assert_eq!(ws(S::WS).name, S::WS_NAME);
        assert_eq!(ws(S::WS_SALES).name, "Sales Operations");
        let model = |id: &str| seed.models.iter().find(|m| m.id == id).unwrap();
        let wfp = model(S::MODEL);
        assert_eq!(
            (wfp.name.as_str(), wfp.workspace_id.as_str()),
            (S::MODEL_NAME, S::WS)
        );
        assert_eq!(model(S::MODEL_SANDBOX).workspace_id, S::WS);
        assert_eq!(model(S::MODEL_SALES_FORECAST).workspace_id, S::WS_SALES);
        let other = model(S::MODEL_WFP_SALES);
        assert_eq!(
            (other.name.as_str(), other.workspace_id.as_str()),
            (S::MODEL_NAME, S::WS_SALES)
        );
        let named = |ids: Vec<(&str, &str)>, id: &str, name: &str| {
            assert!(ids.contains(&(id, name)), "{id} {name} not in {ids:?}");
        };
        let files = || {
            wfp.files
                .iter()
                .map(|f| (f.id.as_str(), f.name.as_str()))
                .collect()
        };
        named(files(), S::FILE_EMPLOYEES, "Employees.csv");
        named(files(), S::FILE_SALARIES, "Salaries.csv");
        let imports = || {
            wfp.imports
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str()))
                .collect()
        };
        named(
            imports(),
            S::IMPORT_EMPLOYEES,
            "Employees from Employees.csv",
        );
        named(
            imports(),
            S::IMPORT_DETAILS,
            "Employee Details from Salaries.csv",
        );
        let exports = || {
            wfp.exports
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str()))
                .collect()
        };
        named(exports(), S::EXPORT_EMPLOYEES, "Employees.csv");
        named(exports(), S::EXPORT_DETAILS, "Employee Details.csv");
        let actions = || {
            wfp.actions
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str()))
                .collect()
        };
        named(actions(), S::ACTION_DELETE_LEAVERS, "Delete Leavers");
        named(actions(), S::ACTION_CLEAR_EMPLOYEES, "Clear Employees");
        let processes = || {
            wfp.processes
                .iter()
                .map(|o| (o.id.as_str(), o.name.as_str()))
                .collect()
        };
        named(processes(), S::PROCESS_LOAD_EMPLOYEES, "Load Employees");
        let client = |id: &str| {
            seed.oauth_clients
                .iter()
                .find(|c| c.client_id == id)
                .unwrap()
        };
        use crate::seed::OAuthGrant::{AuthorizationCode, DeviceGrant};
        let c = client(S::OAUTH_DEVICE_CLIENT);
        assert_eq!((c.grant, c.rotatable), (DeviceGrant, false));
        let c = client(S::OAUTH_ROTATING_DEVICE_CLIENT);
        assert_eq!((c.grant, c.rotatable), (DeviceGrant, true));
        for (id, secret, rotatable) in [
            (S::OAUTH_CODE_CLIENT, S::OAUTH_CODE_CLIENT_SECRET, true),
            (
                S::OAUTH_FIXED_CODE_CLIENT,
                S::OAUTH_FIXED_CODE_CLIENT_SECRET,
                false,
            ),
        ] {
            let c = client(id);
            assert_eq!((c.grant, c.rotatable), (AuthorizationCode, rotatable));
            assert_eq!(c.client_secret.as_deref(), Some(secret));
            assert_eq!(c.redirect_uris, [S::OAUTH_REDIRECT_URI]);
        }
    }

    #[test]
    fn the_c_header_defines_every_value() {
        let header = S::c_header();
        for (name, value) in S::ALL {
            assert!(header.contains(&format!("#define SEED_{name} \"{value}\"\n")));
        }
    }
}
