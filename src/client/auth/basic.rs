//! Basic sign-in (`POST /token/authenticate` in
//! emulator/tests/fixtures/anaplan-openapi/authentication-openapi.json): `Authorization: Basic
//! base64(user:password)`, no body.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::client::error::{Error, Result};
use crate::client::secret::Secret;

/// A user name and password. `Debug` shows the user only.
#[derive(Clone)]
pub struct BasicCredentials {
    user: String,
    password: Secret,
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl BasicCredentials {
    /// A user name (an e-mail address) and its password. The user name may not contain `:`,
    /// which would split it in the header.
    pub fn new(user: &str, password: &str) -> Result<BasicCredentials> {
        if user.is_empty() {
            return Err(Error::invalid("the user name is empty"));
        }
        if user.contains(':') {
            return Err(Error::invalid(
                "the user name contains ':', which basic authentication cannot carry",
            ));
        }
        Ok(BasicCredentials {
            user: user.to_string(),
            password: Secret::new(password),
        })
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    /// The whole `Authorization` header value.
    pub(crate) fn header(&self) -> Secret {
        let joined = Secret::new(format!("{}:{}", self.user, self.password.expose()));
        Secret::new(format!("Basic {}", STANDARD.encode(joined.expose())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_base64_of_user_colon_password() {
        let c = BasicCredentials::new("a@b.c", "p:w").unwrap();
        assert_eq!(c.header().expose(), "Basic YUBiLmM6cDp3");
        assert!(!format!("{c:?}").contains("p:w"));
        assert!(BasicCredentials::new("x:y", "p").is_err());
    }
}
