#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    eventsc::cli::main()
}
