pub mod unsatisfiable;
