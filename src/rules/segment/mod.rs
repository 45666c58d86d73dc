pub(crate) mod column_collision;
pub(crate) mod reserved_name;
pub(crate) mod warehouse_column;
