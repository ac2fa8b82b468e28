//! C enumerations, each declared once with [`c_enum!`].
//!
//! An enumeration is an `int32_t` on the ABI (style: no Rust enum crosses the boundary), so C
//! sees a typedef and one `#define` per value. cbindgen cannot expand macros, so the header part
//! of every enumeration is written by [`Enumeration::header`] from the same declaration that
//! makes the Rust constants: the value's name, its number and its doc comment cannot drift
//! apart, and a value without a doc comment does not compile (see the macro).

use std::ffi::CStr;

use super::error::FfiError;
use super::scalars::out_of_range;

/// One value of an enumeration.
#[derive(Debug)]
pub struct EnumValue {
    /// The C name, e.g. `ANAPLAN_STATUS_NOT_FOUND`.
    pub name: &'static CStr,
    pub value: i32,
    /// The doc comment, one source line per line, as written.
    pub doc: &'static str,
}

/// An enumeration of the C API: its typedef, documentation and values.
#[derive(Debug)]
pub struct Enumeration {
    /// The C type name, e.g. `anaplan_status`.
    pub type_name: &'static str,
    pub doc: &'static str,
    pub values: &'static [EnumValue],
}

impl Enumeration {
    /// The C name of `value`, `None` when it is not a value of this enumeration.
    pub fn name_of(&self, value: i32) -> Option<&'static CStr> {
        self.values
            .iter()
            .find(|v| v.value == value)
            .map(|v| v.name)
    }

    /// `value` when it is one of this enumeration's values, else `ANAPLAN_STATUS_OUT_OF_RANGE`
    /// naming the parameter and every allowed value.
    pub fn check(&self, value: i32, param: &str) -> Result<i32, FfiError> {
        if self.name_of(value).is_some() {
            return Ok(value);
        }
        let allowed: Vec<String> = self
            .values
            .iter()
            .map(|v| format!("{} ({})", v.name.to_string_lossy(), v.value))
            .collect();
        Err(out_of_range(
            param,
            value,
            &format!("one of {}", allowed.join(", ")),
        ))
    }

    /// The header's declaration: the documented typedef, then each documented `#define`.
    pub fn header(&self) -> String {
        let mut out = doc_block(self.doc);
        out.push_str(&format!("typedef int32_t {};\n\n", self.type_name));
        for v in self.values {
            out.push_str(&doc_block(v.doc));
            out.push_str(&format!(
                "#define {} {}\n\n",
                v.name.to_string_lossy(),
                v.value
            ));
        }
        out
    }
}

/// A doc comment in the header's style (cbindgen's `doxy`): `/**`, ` * line`, ` */`.
fn doc_block(doc: &str) -> String {
    let mut out = String::from("/**\n");
    for line in doc.lines() {
        // `///` doc lines arrive with the space after the slashes.
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.is_empty() {
            out.push_str(" *\n");
        } else {
            out.push_str(&format!(" * {line}\n"));
        }
    }
    out.push_str(" */\n");
    out
}

/// A `&'static CStr` from a literal that ends with NUL, checked when compiling.
pub const fn c_name(with_nul: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(with_nul.as_bytes()) {
        Ok(name) => name,
        Err(_) => panic!("an enumeration value name must end with its only NUL"),
    }
}

/// Declares a C enumeration once: the Rust type alias (`i32`), one documented constant per
/// value, and the table (`static`) that yields the names, the checks and the header text.
///
/// ```text
/// c_enum! {
///     /// What the type is for (goes to the header with the typedef).
///     pub enum anaplan_thing in THINGS {
///         /// What this value means (required: the header documents every value).
///         ANAPLAN_THING_ONE = 1,
///     }
/// }
/// ```
///
/// The enumeration must also be listed in `ffi::ENUMERATIONS`, which writes the header (a test
/// counts the declarations).
macro_rules! c_enum {
    (
        $(#[doc = $doc:literal])+
        pub enum $ty:ident in $table:ident {
            $(
                $(#[doc = $value_doc:literal])+
                $name:ident = $value:literal,
            )+
        }
    ) => {
        $(#[doc = $doc])+
        #[allow(non_camel_case_types)]
        pub type $ty = i32;

        $(
            $(#[doc = $value_doc])+
            pub const $name: $ty = $value;
        )+

        #[doc = concat!("The values of `", stringify!($ty), "`, with their names and docs.")]
        pub static $table: $crate::ffi::toolkit::enums::Enumeration =
            $crate::ffi::toolkit::enums::Enumeration {
                type_name: stringify!($ty),
                doc: concat!($($doc, "\n"),+),
                values: &[$(
                    $crate::ffi::toolkit::enums::EnumValue {
                        name: $crate::ffi::toolkit::enums::c_name(
                            concat!(stringify!($name), "\0"),
                        ),
                        value: $value,
                        doc: concat!($($value_doc, "\n"),+),
                    },
                )+],
            };
    };
}
pub(crate) use c_enum;

#[cfg(test)]
mod tests {
    use crate::ffi::status::ANAPLAN_STATUS_OUT_OF_RANGE;

    c_enum! {
        /// Colours for the test.
        ///
        /// Two of them.
        pub enum anaplan_test_colour in COLOURS {
            /// Red.
            ANAPLAN_TEST_RED = 1,
            /// Blue,
            /// on two lines.
            ANAPLAN_TEST_BLUE = 7,
        }
    }

    #[test]
    fn one_declaration_gives_constants_names_checks_and_header() {
        assert_eq!((ANAPLAN_TEST_RED, ANAPLAN_TEST_BLUE), (1, 7));
        let _: anaplan_test_colour = ANAPLAN_TEST_BLUE;
        assert_eq!(COLOURS.name_of(7), Some(c"ANAPLAN_TEST_BLUE"));
        assert_eq!(COLOURS.name_of(2), None);
        assert_eq!(COLOURS.check(1, "colour"), Ok(1));
        let e = COLOURS.check(3, "colour").unwrap_err();
        assert_eq!(e.status, ANAPLAN_STATUS_OUT_OF_RANGE);
        assert_eq!(
            e.message,
            "`colour` is 3, out of range: expected one of ANAPLAN_TEST_RED (1), ANAPLAN_TEST_BLUE (7)"
        );
        assert_eq!(
            COLOURS.header(),
            "/**\n * Colours for the test.\n *\n * Two of them.\n */\n\
             typedef int32_t anaplan_test_colour;\n\n\
             /**\n * Red.\n */\n#define ANAPLAN_TEST_RED 1\n\n\
             /**\n * Blue,\n * on two lines.\n */\n#define ANAPLAN_TEST_BLUE 7\n\n"
        );
    }
}
