// mimalloc: the walk and the rules allocate many small, short-lived objects, and it
// serves them faster than the system allocator (see bench/ and the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pitfall::cli::main()
}
