use clap::Parser;
use karmada_manager::cli::{Cli, Command};
use karmada_manager::{run, telemetry};
use std::process::ExitCode;

/// jemalloc, whatever the C library: the image is a static musl build, whose allocator is not
/// the glibc one every benchmark measured, and against glibc's jemalloc gave the same memory
/// for less CPU (docs/benchmarks.md, 7f).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Crds => print_crds(),
        Command::Run(args) => {
            telemetry::init(&args.log);
            run::run(*args).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "karmada-manager stopped");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn print_crds() -> karmada_manager::Result<()> {
    for crd in karmada_manager_api::crds() {
        print!("---\n{}", serde_yaml_ng::to_string(&crd)?);
    }
    Ok(())
}
