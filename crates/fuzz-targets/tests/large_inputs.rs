//! Multi-megabyte inputs to every target: each must return (no hang) with its peak heap in
//! proportion to the input. One test function, so no other test shares the allocator's
//! counters. Prints the worst ratio of peak heap to input size per target.
#![allow(clippy::unwrap_used, missing_docs)]

use devidence_fuzz_targets::{Target, all, seeds};
use peakmem_alloc::{INSTRUMENTED_SYSTEM, PeakMemAlloc, PeakMemAllocTrait};
use std::alloc::System;

#[global_allocator]
static HEAP: &PeakMemAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Size of each large input.
const SIZE: usize = 2 * 1024 * 1024;
/// Peak heap allowed per input: this many times the input, plus a fixed allowance (fonts,
/// tables, a probe's whole run). Parsers copy their input a few times (lossy UTF-8, redacted
/// copies, per-line strings); the worst seen is 15× (a plist parsed into a tree). Anything
/// growing faster is a bug.
const RATIO: usize = 20;
const ALLOWANCE: usize = 16 * 1024 * 1024;

fn repeated(pattern: &[u8]) -> Vec<u8> {
    pattern.iter().copied().cycle().take(SIZE).collect()
}

fn large_inputs(target: &Target) -> Vec<(&'static str, Vec<u8>)> {
    let seeds = seeds::for_target(target);
    let all_seeds: Vec<u8> = seeds.concat();
    let mut inputs = vec![
        (
            "seeds repeated",
            repeated(if all_seeds.is_empty() {
                b"x"
            } else {
                &all_seeds
            }),
        ),
        ("one long line", repeated(b"a")),
        ("only newlines", repeated(b"\n")),
        ("deep brackets", repeated(b"[{")),
        ("deep plist", repeated(b"<dict><key>k</key><array>")),
        ("key = value lines", repeated(b"Key = Value\r\n")),
        ("invalid UTF-8", repeated(&[0xff, 0xfe, 0x80, b'\n'])),
    ];
    if let Some(biggest) = seeds.iter().max_by_key(|s| s.len()) {
        // The largest real output with a huge line spliced into its middle.
        let mut spliced = biggest[..biggest.len() / 2].to_vec();
        spliced.extend(repeated(b"9"));
        spliced.extend(&biggest[biggest.len() / 2..]);
        inputs.push(("real output with a huge line inside", spliced));
    }
    inputs
}

#[test]
fn every_target_handles_multi_megabyte_inputs_in_bounded_memory() {
    let mut report = Vec::new();
    for target in all() {
        let mut worst = 0.0f64;
        let started = std::time::Instant::now();
        for (what, input) in large_inputs(&target) {
            let len = input.len();
            HEAP.reset_peak_memory();
            let before = HEAP.get_peak_memory();
            (target.run)(&input);
            drop(input);
            let peak = HEAP.get_peak_memory().saturating_sub(before);
            assert!(
                peak <= RATIO * len + ALLOWANCE,
                "{}: {what} ({len} bytes) peaked at {peak} bytes of heap",
                target.name
            );
            worst = worst.max(peak as f64 / len as f64);
        }
        report.push(format!(
            "{:<45} worst peak heap {worst:>5.1}× input, {:.1} s",
            target.name,
            started.elapsed().as_secs_f64()
        ));
    }
    println!("{}", report.join("\n"));
}
