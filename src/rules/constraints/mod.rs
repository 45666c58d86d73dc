pub(crate) mod unsatisfiable;
