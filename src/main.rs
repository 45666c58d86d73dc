#![forbid(unsafe_code)]

// The front end allocates and frees millions of small nodes on large plans;
// mimalloc makes `check` on 10k events about a third faster than the system
// allocator (bench/check.sh). Version 2 (the `v2` feature in Cargo.toml): v3
// kept ~35 MB more resident on that plan at the same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    eventsc::cli::main()
}
