//! The import graph's cycles: strongly connected components (Tarjan's algorithm, without
//! recursion); `cycles` searches inside each component.

/// A directed graph over nodes `0..n`: each node's successors, sorted, one after the
/// other in one array (no allocation per node).
pub struct Graph {
    /// `targets[offsets[v]..offsets[v + 1]]` are the successors of `v`.
    offsets: Vec<usize>,
    targets: Vec<usize>,
}

impl Graph {
    /// The graph where node `v` leads to the nodes of the `v`th list of `successors`;
    /// each list is sorted here, without repeats, so that every answer is deterministic.
    pub fn new<I: IntoIterator<Item = usize>>(successors: impl IntoIterator<Item = I>) -> Self {
        let successors = successors.into_iter();
        let mut offsets = Vec::with_capacity(successors.size_hint().0 + 1);
        offsets.push(0);
        let mut targets = Vec::new();
        for list in successors {
            let start = targets.len();
            targets.extend(list);
            targets[start..].sort_unstable();
            let mut kept = start;
            for at in start..targets.len() {
                if kept == start || targets[kept - 1] != targets[at] {
                    targets[kept] = targets[at];
                    kept += 1;
                }
            }
            targets.truncate(kept);
            offsets.push(kept);
        }
        Graph { offsets, targets }
    }

    /// The strongly connected components with more than one node, each sorted.
    pub fn components(&self) -> Vec<Vec<usize>> {
        const UNSEEN: usize = usize::MAX;
        let n = self.offsets.len() - 1;
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut next_index = 0;
        let mut components = Vec::new();
        // The explicit call stack: (node, position of the next successor to visit).
        let mut calls: Vec<(usize, usize)> = Vec::new();
        for start in 0..n {
            if index[start] != UNSEEN {
                continue;
            }
            calls.push((start, 0));
            index[start] = next_index;
            low[start] = next_index;
            next_index += 1;
            stack.push(start);
            on_stack[start] = true;
            while let Some(&mut (node, ref mut next)) = calls.last_mut() {
                if let Some(&successor) = self.successors(node).get(*next) {
                    *next += 1;
                    if index[successor] == UNSEEN {
                        index[successor] = next_index;
                        low[successor] = next_index;
                        next_index += 1;
                        stack.push(successor);
                        on_stack[successor] = true;
                        calls.push((successor, 0));
                    } else if on_stack[successor] {
                        low[node] = low[node].min(index[successor]);
                    }
                    continue;
                }
                calls.pop();
                if let Some(&(parent, _)) = calls.last() {
                    low[parent] = low[parent].min(low[node]);
                }
                if low[node] == index[node] {
                    // Most nodes are components of their own: those cost no allocation.
                    if stack.last() == Some(&node) {
                        stack.pop();
                        on_stack[node] = false;
                        continue;
                    }
                    let mut component = Vec::new();
                    while let Some(member) = stack.pop() {
                        on_stack[member] = false;
                        component.push(member);
                        if member == node {
                            break;
                        }
                    }
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
        components.sort();
        components
    }

    /// The successors of `node`, sorted.
    pub fn successors(&self, node: usize) -> &[usize] {
        &self.targets[self.offsets[node]..self.offsets[node + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_successors() {
        // 0 -> 1 -> 2 -> 0 plus a shortcut 1 -> 0; 3 -> 4 -> 3; 5 alone with a self-loop.
        let graph = Graph::new(vec![
            vec![1],
            vec![2, 0],
            vec![0],
            vec![4],
            vec![3],
            vec![5],
        ]);
        assert_eq!(graph.components(), vec![vec![0, 1, 2], vec![3, 4]]);
        assert_eq!(graph.successors(1), [0, 2]);
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let graph = Graph::new((0..n).map(|i| [(i + 1) % n]));
        let components = graph.components();
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].len(), n);
    }
}
