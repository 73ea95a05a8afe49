package privacy

import (
	"sort"
	"time"

	"spoor/domain"
)

// chunkBits sizes the chunks of the access log: appending never copies
// earlier accesses (a flat slice would, on every doubling).
const chunkBits = 12

// accessLog holds every access in position order, in fixed-size chunks.
type accessLog struct {
	chunks [][]Access
	n      int
}

func (l *accessLog) add(a Access) int32 {
	if l.n&(1<<chunkBits-1) == 0 {
		l.chunks = append(l.chunks, make([]Access, 0, 1<<chunkBits))
	}
	c := len(l.chunks) - 1
	l.chunks[c] = append(l.chunks[c], a)
	l.n++
	return int32(l.n - 1)
}

func (l *accessLog) at(i int32) *Access { return &l.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

func (l *accessLog) len() int { return l.n }

// flat returns a copy of every access, for snapshots.
func (l *accessLog) flat() []Access {
	out := make([]Access, 0, l.n)
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	return out
}

// dayTally counts the distinct families a user touched on one local day
// so far.
type dayTally struct {
	day  int32
	fams map[domain.FamilyID]struct{}
}

// tally records a's family for its user's local day k and returns the
// running count of distinct families that day.
func (m *Model) tally(a *Access, k int32) int32 {
	t := m.days[a.UserID]
	if t == nil {
		t = &dayTally{fams: map[domain.FamilyID]struct{}{}}
		m.days[a.UserID] = t
	}
	if t.day != k {
		t.day = k
		clear(t.fams)
	}
	t.fams[a.FamilyID] = struct{}{}
	return int32(len(t.fams))
}

// lastBefore returns the position in idx of the last access recorded
// before limit, or -1.
func (m *Model) lastBefore(idx []int32, limit time.Time) int {
	return sort.Search(len(idx), func(i int) bool { return !m.log.at(idx[i]).At.Before(limit) }) - 1
}
