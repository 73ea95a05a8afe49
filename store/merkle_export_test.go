package store

// TreeNodes exposes the number of subtree roots a Tree keeps, for tests.
func TreeNodes(t *Tree) int { return len(t.nodes) }
