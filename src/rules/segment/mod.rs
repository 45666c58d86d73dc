pub mod column_collision;
pub mod reserved_name;
