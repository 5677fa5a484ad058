mod allocator;

// mimalloc: the walk and the rules allocate many small, short-lived objects, and it
// serves them faster than the system allocator (see bench/ and the README).
#[global_allocator]
static GLOBAL: allocator::Allocator = allocator::Allocator;

fn main() -> std::process::ExitCode {
    allocator::small_pages_only();
    pitfall::cli::main()
}
