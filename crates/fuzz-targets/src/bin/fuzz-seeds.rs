//! `fuzz-seeds DIR [--list]`: writes each fuzz target's starting corpus to `DIR/<target>/`
//! (from the recorded fixtures), or with `--list` prints the target names.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for target in devidence_fuzz_targets::all() {
            println!("{}", target.name);
        }
        return ExitCode::SUCCESS;
    }
    let [dir] = args.as_slice() else {
        eprintln!("usage: fuzz-seeds DIR | fuzz-seeds --list");
        return ExitCode::from(2);
    };
    let mut written = 0;
    for target in devidence_fuzz_targets::all() {
        let folder = std::path::Path::new(dir).join(target.name);
        if let Err(e) = std::fs::create_dir_all(&folder) {
            eprintln!("cannot create {}: {e}", folder.display());
            return ExitCode::FAILURE;
        }
        for (i, seed) in devidence_fuzz_targets::seeds::for_target(&target)
            .iter()
            .enumerate()
        {
            let file = folder.join(format!("seed-{i:03}"));
            if let Err(e) = std::fs::write(&file, seed) {
                eprintln!("cannot write {}: {e}", file.display());
                return ExitCode::FAILURE;
            }
            written += 1;
        }
    }
    eprintln!("{written} seed files written under {dir}");
    ExitCode::SUCCESS
}
