pub(crate) mod allow;
pub(crate) mod declaration;
