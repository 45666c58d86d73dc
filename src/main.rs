#![forbid(unsafe_code)]

// The front end allocates and frees millions of small nodes on large plans;
// mimalloc about halves `check`'s time on 10k events against the system
// allocator (0.45 s -> 0.23 s when it came in; bench/check.sh). Version 2 (the
// `v2` feature in Cargo.toml): v3 kept ~35 MB more resident on that plan at the
// same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    eventsc::cli::main()
}
