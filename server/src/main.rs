//! The `botcoach` binary: parses the command line and hands over to the library.

fn main() -> anyhow::Result<()> {
    server::cli::run()
}
