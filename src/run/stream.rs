//! The one check stream: items checked in parallel chunks and handed on in
//! input order, so output is deterministic and memory stays flat however
//! long the batch. `check`, `eval` and `watch` all run on it.
//!
//! The thread that calls [`stream`] reads the next chunk and hands the
//! results of the one before to the sink while the workers check the current
//! one, so reading and writing never leave a core idle.

use rayon::prelude::*;
use std::ops::ControlFlow;

/// Notes are checked in parallel in chunks of this many.
pub const CHUNK: usize = 1024;

/// Runs `work` on every item, a chunk at a time in parallel, and hands the
/// results to `sink` in input order until it breaks.
pub fn stream<T: Send, R: Send>(
    items: impl Iterator<Item = T>,
    work: impl Fn(T) -> R + Sync,
    mut sink: impl FnMut(R) -> ControlFlow<()>,
) {
    let mut items = items.peekable();
    let mut chunk: Vec<T> = items.by_ref().take(CHUNK).collect();
    let mut done: Vec<R> = Vec::new();
    let work = &work;
    loop {
        let mut results: Vec<R> = Vec::new();
        let mut stop = false;
        let current = std::mem::take(&mut chunk);
        let last = current.is_empty();
        rayon::in_place_scope(|s| {
            if !last {
                s.spawn(|_| results = current.into_par_iter().map(work).collect());
            }
            // Meanwhile, on this thread: the results before, then the next chunk.
            for r in done.drain(..) {
                if sink(r).is_break() {
                    stop = true;
                    break;
                }
            }
            if !stop && !last {
                chunk = items.by_ref().take(CHUNK).collect();
            }
        });
        if stop || last {
            return;
        }
        done = results;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Item;
    use crate::problem::Problem;

    #[test]
    fn results_arrive_in_input_order_and_a_break_stops_the_stream() {
        let items = (0..3000).map(|i| Err(Problem::error("t", i.to_string())));
        let mut seen = vec![];
        stream(
            items,
            |item: Item| item.err().map(|p| p.message).unwrap_or_default(),
            |m| {
                seen.push(m);
                if seen.len() == 2500 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert_eq!(seen.len(), 2500);
        assert!(seen.iter().enumerate().all(|(i, m)| *m == i.to_string()));
    }
}
