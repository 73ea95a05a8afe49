package store

import (
	"crypto/sha256"

	"golang.org/x/mod/sumdb/tlog"
)

// LeafHash is the RFC 6962 leaf hash of an event in the Merkle tree over the
// global order: tlog.RecordHash over the event's chain Hash. The event's
// Hash already commits to everything stored about it except its position;
// the leaf's index in the tree (its ordinal in ReadAll order) commits to the
// order.
func LeafHash(h Hash) tlog.Hash { return tlog.RecordHash(h[:]) }

// Tree is an RFC 6962 Merkle tree over the global order, kept as a compact
// range: the roots of the perfect subtrees that make up the tree, at most one
// per bit of Size, so memory is O(log n) whatever the number of leaves. Leaf
// i (0-based) is the i-th event in ReadAll order, whatever its Position
// (positions may be sparse, ordinals are not).
//
// Root equals tlog.TreeHash over the same leaves, so checkpoints made from a
// Tree can be checked with golang.org/x/mod/sumdb/tlog (inclusion and
// consistency proofs need the stored hashes, which a Tree does not keep).
//
// The zero Tree is an empty tree ready for use. A Tree is not safe for
// concurrent use.
type Tree struct {
	n     int64
	nodes []tlog.Hash // roots of perfect subtrees, largest (leftmost) first
}

// Append adds the event whose chain hash is h as the next leaf.
func (t *Tree) Append(h Hash) { t.appendLeaf(LeafHash(h)) }

func (t *Tree) appendLeaf(leaf tlog.Hash) {
	t.nodes = append(t.nodes, leaf)
	// The subtree sizes follow the binary digits of n: appending leaf n
	// merges one pair for every trailing one bit of n.
	for m := t.n; m&1 == 1; m >>= 1 {
		k := len(t.nodes)
		t.nodes[k-2] = tlog.NodeHash(t.nodes[k-2], t.nodes[k-1])
		t.nodes = t.nodes[:k-1]
	}
	t.n++
}

// Size is the number of leaves.
func (t *Tree) Size() int64 { return t.n }

// Root is the RFC 6962 tree hash over all leaves: SHA-256 of the empty string
// for the empty tree (as tlog.TreeHash), otherwise the subtree roots folded
// from the right. It costs O(log n) hashes.
func (t *Tree) Root() tlog.Hash {
	if len(t.nodes) == 0 {
		return tlog.Hash(sha256.Sum256(nil))
	}
	h := t.nodes[len(t.nodes)-1]
	for i := len(t.nodes) - 2; i >= 0; i-- {
		h = tlog.NodeHash(t.nodes[i], h)
	}
	return h
}

// Head is the tree size and root in tlog's form, ready for tlog.FormatTree.
func (t *Tree) Head() tlog.Tree { return tlog.Tree{N: t.n, Hash: t.Root()} }
