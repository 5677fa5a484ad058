fn main() -> std::process::ExitCode {
    pitfall::cli::main()
}
