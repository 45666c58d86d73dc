#![forbid(unsafe_code)]

// The front end allocates and frees millions of small nodes on large plans;
// mimalloc makes `check` on 10k events about a third faster than the system
// allocator (bench/check.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    eventsc::cli::main()
}
