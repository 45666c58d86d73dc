pub(crate) mod column_collision;
pub(crate) mod reserved_name;
