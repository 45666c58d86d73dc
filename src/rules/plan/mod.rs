pub mod undeclared_source;
