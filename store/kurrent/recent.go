package kurrent

import "sync"

// recentIDs remembers the stream of the event ids this Store appended most
// recently, up to a bound, oldest forgotten first. KurrentDB has no index
// by event id, so this is how an id reused in another stream is caught (see
// the package documentation for the limits).
type recentIDs struct {
	mu    sync.Mutex
	max   int
	byID  map[string]string
	order []string // ring of ids, oldest at next
	next  int
}

func newRecentIDs(max int) *recentIDs {
	return &recentIDs{max: max, byID: make(map[string]string)}
}

// stream returns the stream id was appended to, if it is remembered.
func (r *recentIDs) stream(id string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.byID[id]
	return s, ok
}

// add remembers that ids were appended to stream.
func (r *recentIDs) add(stream string, ids []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if _, ok := r.byID[id]; ok {
			continue
		}
		if len(r.order) < r.max {
			r.order = append(r.order, id)
		} else {
			delete(r.byID, r.order[r.next])
			r.order[r.next] = id
			r.next = (r.next + 1) % r.max
		}
		r.byID[id] = stream
	}
}
