pub(crate) mod undeclared_source;
