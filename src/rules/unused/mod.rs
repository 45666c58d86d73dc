pub mod allow;
pub mod declaration;
