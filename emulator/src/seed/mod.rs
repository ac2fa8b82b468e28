//! The seed file: the workspaces, models, users and data an emulator starts with.
//!
//! The format is documented in the README ("Seed format"). File contents can be inline
//! (`content`) or in a file next to the seed (`contentPath`, resolved when the seed is loaded).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub mod load;

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// The tenant's customer GUID (32 lowercase hex), reported by `/token/validate`.
    pub customer_id: String,
    pub users: Vec<SeedUser>,
    pub workspaces: Vec<SeedWorkspace>,
    pub models: Vec<SeedModel>,
    /// PEM certificates of the certificate authorities trusted for CA-certificate sign-in.
    /// Empty: any issuer is accepted (the signature and validity are still checked).
    #[serde(default)]
    pub certificate_authorities: Vec<String>,
    /// OAuth 2.0 clients, as an administrator registers them (Administration → Security → OAuth
    /// Clients).
    #[serde(default)]
    pub oauth_clients: Vec<SeedOAuthClient>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedOAuthClient {
    /// 32 hex characters, as Anaplan's client ids.
    pub client_id: String,
    pub name: String,
    pub grant: OAuthGrant,
    /// The secret of an authorization-code client; device-grant clients have none.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Where an authorization-code client may be sent back with its code.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Every refresh hands out a new refresh token and the used one stops working; the refresh
    /// tokens of a rotatable client also expire. A non-rotatable client's refresh token lives on.
    pub rotatable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OAuthGrant {
    /// RFC 8628: the user approves a code on another device; no secret.
    DeviceGrant,
    /// The browser flow: a code sent to a redirect URI, exchanged with the client secret.
    AuthorizationCode,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Basic-auth password; `None` for a user that can only sign in with a certificate.
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Ids of the workspaces this user belongs to (and so sees, with their models).
    pub workspaces: Vec<String>,
    #[serde(default)]
    pub last_login_date: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedWorkspace {
    pub id: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    pub size_allowance: u64,
    pub current_size: u64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedModel {
    pub id: String,
    pub name: String,
    pub workspace_id: String,
    #[serde(default = "unlocked")]
    pub active_state: String,
    #[serde(default)]
    pub lists: Vec<SeedList>,
    #[serde(default)]
    pub modules: Vec<SeedModule>,
    #[serde(default)]
    pub files: Vec<SeedFile>,
    #[serde(default)]
    pub imports: Vec<SeedImport>,
    #[serde(default)]
    pub exports: Vec<SeedExport>,
    #[serde(default)]
    pub actions: Vec<SeedAction>,
    #[serde(default)]
    pub processes: Vec<SeedProcess>,
}

/// A list (dimension). `parent` names the parent list of a hierarchy; items then name their
/// parent item.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedList {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub properties: Vec<String>,
    #[serde(default)]
    pub items: Vec<SeedListItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedListItem {
    pub name: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

/// A module: line items dimensioned by lists. `data` rows name one item per dimension (in
/// `dimensions` order) and give values by line-item name.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedModule {
    pub id: String,
    pub name: String,
    pub dimensions: Vec<String>,
    pub line_items: Vec<SeedLineItem>,
    #[serde(default)]
    pub data: Vec<SeedModuleRow>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedLineItem {
    pub id: String,
    pub name: String,
    /// NUMBER, TEXT, DATE or BOOLEAN: values are checked against it on import.
    #[serde(default = "text")]
    pub format: String,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedModuleRow {
    pub items: Vec<String>,
    pub values: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedFile {
    pub id: String,
    pub name: String,
    #[serde(default = "comma")]
    pub separator: String,
    #[serde(default = "quote")]
    pub delimiter: String,
    #[serde(default = "one")]
    pub header_row: i64,
    #[serde(default = "two")]
    pub first_data_row: i64,
    #[serde(default = "utf8")]
    pub encoding: String,
    #[serde(default = "txt")]
    pub format: String,
    /// The file's initial content, inline.
    #[serde(default)]
    pub content: Option<String>,
    /// The file's initial content, from a file beside the seed file (moved into `content` on load).
    #[serde(default, skip_serializing)]
    pub content_path: Option<String>,
}

/// An import from a file into a list (`HIERARCHY_DATA`) or a module (`MODULE_DATA`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedImport {
    pub id: String,
    pub name: String,
    pub file_id: String,
    pub import_type: String,
    /// Name of the target list or module.
    pub target: String,
    pub mapping: ImportMapping,
}

/// Which source column feeds what. For a list: `name`, `code`, `parent`, `properties`.
/// For a module: `items` (one column per dimension) and `lineItems`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportMapping {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub line_items: BTreeMap<String, String>,
}

/// An export of a list or module as CSV. Its output file has the export's id.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedExport {
    pub id: String,
    pub name: String,
    /// Name of the list or module exported.
    pub source: String,
    #[serde(default = "tabular_multi")]
    pub layout: String,
    #[serde(default = "text_csv")]
    pub export_format: String,
    #[serde(default = "utf8")]
    pub encoding: String,
    /// Column separator of the output (`,` by default; `\t` for tab-separated exports).
    #[serde(default = "comma")]
    pub separator: String,
    /// Text delimiter (quote) of the output; empty for none.
    #[serde(default = "quote")]
    pub delimiter: String,
}

/// A delete action: clears the items of a list, all of them or those whose property is non-empty.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedAction {
    pub id: String,
    pub name: String,
    #[serde(default = "delete_by_selection")]
    pub action_type: String,
    /// The list whose items are deleted.
    pub list: String,
    /// Delete only items whose value of this property is not empty; all items when absent.
    #[serde(default)]
    pub where_property_set: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedProcess {
    pub id: String,
    pub name: String,
    /// Ids of the imports, exports and actions run in order.
    pub actions: Vec<String>,
}

fn yes() -> bool {
    true
}
fn unlocked() -> String {
    "UNLOCKED".into()
}
fn text() -> String {
    "TEXT".into()
}
fn comma() -> String {
    ",".into()
}
fn quote() -> String {
    "\"".into()
}
fn one() -> i64 {
    1
}
fn two() -> i64 {
    2
}
fn utf8() -> String {
    "UTF-8".into()
}
fn txt() -> String {
    "txt".into()
}
fn tabular_multi() -> String {
    "TABULAR_MULTI_COLUMN".into()
}
fn text_csv() -> String {
    "text/csv".into()
}
fn delete_by_selection() -> String {
    "DELETE_BY_SELECTION".into()
}
