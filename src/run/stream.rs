//! The one check stream: items checked in parallel chunks and handed on in
//! input order, so output is deterministic and memory stays flat however
//! long the batch. `check`, `eval` and `watch` all run on it.

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
    while items.peek().is_some() {
        let chunk: Vec<T> = items.by_ref().take(CHUNK).collect();
        let results: Vec<R> = chunk.into_par_iter().map(&work).collect();
        for r in results {
            if sink(r).is_break() {
                return;
            }
        }
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
