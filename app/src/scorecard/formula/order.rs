//! The order in which formulas that reference each other are evaluated.
//!
//! Exists because formula measurables may reference other formula
//! measurables: the server must evaluate each after those it references, and
//! refuse a definition that would close a cycle. This works on the bare dependency
//! graph, so it needs nothing from the formula language itself.

use std::{collections::HashMap, hash::Hash};

/// Finds a cycle in a dependency graph (measurable id → ids it references).
///
/// Returns the cycle as the ids along it with the first repeated at the end,
/// e.g. `[1, 2, 3, 1]` for 1 → 2 → 3 → 1, or `[5, 5]` for a formula that
/// references itself; `None` if the graph is acyclic. Ids that only appear
/// as references are treated as having no dependencies. The search is
/// deterministic (keys in ascending order, edges in the given order).
pub fn find_cycle<K: Copy + Ord + Hash>(graph: &HashMap<K, Vec<K>>) -> Option<Vec<K>> {
    evaluation_order(graph).err()
}

/// Orders all ids of a dependency graph so that every id comes after the
/// ids it references (evaluate formulas in this order), or returns the cycle
/// found as in [`find_cycle`]. Ids that only appear as references are
/// included.
pub fn evaluation_order<K: Copy + Ord + Hash>(
    graph: &HashMap<K, Vec<K>>,
) -> Result<Vec<K>, Vec<K>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        InProgress,
        Done,
    }
    let mut roots: Vec<K> = graph.keys().copied().collect();
    roots.sort_unstable();
    let no_edges: Vec<K> = Vec::new();
    let mut marks: HashMap<K, Mark> = HashMap::new();
    let mut order = Vec::new();
    for root in roots {
        if marks.contains_key(&root) {
            continue;
        }
        marks.insert(root, Mark::InProgress);
        // Iterative DFS: (node, index of the next edge to follow).
        let mut stack: Vec<(K, usize)> = vec![(root, 0)];
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            let edges = graph.get(&node).unwrap_or(&no_edges);
            if let Some(&next) = edges.get(top.1) {
                top.1 += 1;
                match marks.get(&next) {
                    Some(Mark::Done) => {}
                    Some(Mark::InProgress) => {
                        let from = stack.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        let mut cycle: Vec<K> = stack[from..].iter().map(|(n, _)| *n).collect();
                        cycle.push(next);
                        return Err(cycle);
                    }
                    None => {
                        marks.insert(next, Mark::InProgress);
                        stack.push((next, 0));
                    }
                }
            } else {
                marks.insert(node, Mark::Done);
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cycles() {
        let graph: HashMap<i64, Vec<i64>> =
            [(1, vec![2, 10]), (2, vec![3]), (3, vec![1]), (4, vec![1])].into();
        assert_eq!(find_cycle(&graph), Some(vec![1, 2, 3, 1]));
        let graph: HashMap<i64, Vec<i64>> = [(5, vec![5])].into();
        assert_eq!(find_cycle(&graph), Some(vec![5, 5]));
        let graph: HashMap<i64, Vec<i64>> = [
            (1, vec![2, 3]),
            (2, vec![3]),
            (3, vec![10, 11]),
            (4, vec![1, 3]),
        ]
        .into();
        assert_eq!(find_cycle(&graph), None);
        let order = evaluation_order(&graph).unwrap();
        let at = |id: i64| order.iter().position(|n| *n == id).unwrap();
        for (node, deps) in &graph {
            for dep in deps {
                assert!(
                    at(*dep) < at(*node),
                    "{dep} must come before {node} in {order:?}"
                );
            }
        }
        assert_eq!(order.len(), 6);
        assert_eq!(find_cycle(&HashMap::<i64, Vec<i64>>::new()), None);
        // A long chain does not overflow the stack.
        let chain: HashMap<i64, Vec<i64>> = (0..100_000).map(|i| (i, vec![i + 1])).collect();
        assert_eq!(find_cycle(&chain), None);
    }
}
