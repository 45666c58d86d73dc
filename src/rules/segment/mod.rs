pub mod reserved_name;
