//! Timing shared by the benchmarks' summaries: the median of a few runs, in
//! the same process as the baseline it is compared with.

use std::time::{Duration, Instant};

/// The median of `runs` timings of `work`.
pub fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}
