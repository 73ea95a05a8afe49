package store_test

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"spoor/store"
)

// tlogReference builds the tree the way sumdb does (every stored hash) and
// returns the tree hash at every size 0..len(leaves).
func tlogReference(t *testing.T, leaves []store.Hash) []tlog.Hash {
	t.Helper()
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	roots := make([]tlog.Hash, 0, len(leaves)+1)
	for n := int64(0); ; n++ {
		root, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatalf("tlog.TreeHash(%d): %v", n, err)
		}
		roots = append(roots, root)
		if n == int64(len(leaves)) {
			return roots
		}
		hs, err := tlog.StoredHashes(n, leaves[n][:], reader)
		if err != nil {
			t.Fatalf("tlog.StoredHashes(%d): %v", n, err)
		}
		stored = append(stored, hs...)
	}
}

func randomLeaves(r *rand.Rand, n int) []store.Hash {
	leaves := make([]store.Hash, n)
	for i := range leaves {
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], r.Uint64())
		leaves[i] = sha256.Sum256(seed[:])
	}
	return leaves
}

func TestTreeMatchesTlogAtEverySize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, total := range []int{0, 1, 2, 3, 7, 8, 9, 31, 64, 100, 257, 1025} {
		leaves := randomLeaves(r, total)
		want := tlogReference(t, leaves)
		var tree store.Tree
		if got := tree.Root(); got != want[0] {
			t.Fatalf("empty tree root %v, tlog says %v", got, want[0])
		}
		for i, leaf := range leaves {
			tree.Append(leaf)
			if tree.Size() != int64(i+1) {
				t.Fatalf("size %d after %d appends", tree.Size(), i+1)
			}
			if got := tree.Root(); got != want[i+1] {
				t.Fatalf("%d leaves (of a set of %d): root %v, tlog.TreeHash %v", i+1, total, got, want[i+1])
			}
		}
		if head := tree.Head(); head.N != int64(total) || head.Hash != want[total] {
			t.Fatalf("Head() = %d %v, want %d %v", head.N, head.Hash, total, want[total])
		}
	}
}

func TestTreeRootDependsOnOrderAndContent(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	leaves := randomLeaves(r, 5)
	root := func(ls []store.Hash) tlog.Hash {
		var tr store.Tree
		for _, l := range ls {
			tr.Append(l)
		}
		return tr.Root()
	}
	base := root(leaves)
	swapped := append([]store.Hash(nil), leaves...)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	if root(swapped) == base {
		t.Fatal("swapping two leaves did not change the root")
	}
	changed := append([]store.Hash(nil), leaves...)
	changed[4][0] ^= 1
	if root(changed) == base {
		t.Fatal("flipping a bit of the last leaf did not change the root")
	}
}

func TestTreeMemoryIsLogarithmic(t *testing.T) {
	var tree store.Tree
	var h store.Hash
	for i := 0; i < 1<<16-1; i++ { // 65535 = sixteen one bits: the worst case
		h[0], h[1] = byte(i), byte(i>>8)
		tree.Append(h)
	}
	if n := store.TreeNodes(&tree); n != 16 {
		t.Fatalf("tree of %d leaves keeps %d nodes, want 16", tree.Size(), n)
	}
	h[2] = 1
	tree.Append(h) // 65536 = one perfect subtree
	if n := store.TreeNodes(&tree); n != 1 {
		t.Fatalf("tree of %d leaves keeps %d nodes, want 1", tree.Size(), n)
	}
}

func BenchmarkTreeAppend(b *testing.B) {
	var tree store.Tree
	var h store.Hash
	for i := 0; b.Loop(); i++ {
		h[0], h[1], h[2] = byte(i), byte(i>>8), byte(i>>16)
		tree.Append(h)
	}
}
