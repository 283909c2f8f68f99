//! Who is calling: the environment (and its organization) that the API key belongs to. Every
//! lookup of the domain and the engine is scoped to it.

/// The environment an API key belongs to, and its organization.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub organization_id: String,
    pub environment_id: String,
}
