package keyfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"spoor/store/keyfile"
)

// BenchmarkPutIfAbsent measures creating a family's key in a store that
// already holds n keys: the whole file is rewritten and synced each time.
func BenchmarkPutIfAbsent(b *testing.B) {
	for _, n := range []int{100, 10_000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := keyfile.WriteState(dir, n); err != nil {
				b.Fatal(err)
			}
			s, err := keyfile.Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			key := make([]byte, 61)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if _, err := s.PutIfAbsent(ctx, fmt.Sprintf("family-new-%d", i), key); err != nil {
					b.Fatal(err)
				}
				i++
			}
			st, err := os.Stat(filepath.Join(dir, "keys"))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(st.Size()), "file-bytes")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/key")
		})
	}
}
