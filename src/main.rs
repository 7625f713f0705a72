//! The `dondoc` command: see `dondoc --help`.

fn main() -> std::process::ExitCode {
    dondoc::cli::main()
}
