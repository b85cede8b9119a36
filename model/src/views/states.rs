//! One way to declare a state: an enum whose variants are stored and sent as fixed words.
//!
//! `states!` gives the enum serde names, a sea-orm string column type (`DeriveActiveEnum`, on
//! the backend only: the browser build has no sea-orm), `as_str`, `FromStr`, `Display` and
//! `ALL` — so no state is ever compared as a string literal, and a column holding one reads
//! back as the enum or fails loudly. With the `openapi` feature each is also a string enum schema.

/// A word that names none of a state's variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}: one of {expected}")]
pub struct UnknownState {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

macro_rules! states {
    ($(
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    )+) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "backend", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
        #[cfg_attr(feature = "backend", sea_orm(rs_type = "String", db_type = "Text"))]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $word)]
                // utoipa reads `serde(rename)` token by token and may miss a literal passed
                // through this macro; its own `rename` parses it like serde does.
                #[cfg_attr(feature = "openapi", schema(rename = $word))]
                #[cfg_attr(feature = "backend", sea_orm(string_value = $word))]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::views::UnknownState;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    $crate::views::UnknownState {
                        what: $what,
                        value: s.to_string(),
                        expected: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    }
                })
            }
        }
    )+};
}
