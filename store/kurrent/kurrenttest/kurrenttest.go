// Package kurrenttest is a protocol double of KurrentDB for tests; not a
// database.
//
// A Server is an in-process gRPC server on a 127.0.0.1 port that implements
// the parts of the KurrentDB streams service (Append, Read of streams and of
// $all with reads, filtered catch-up subscriptions and live push,
// Tombstone) and of the server-features service that the official Go client
// (github.com/EventStore/EventStore-Client-Go/v4) uses, with the client
// module's own generated protos. It exists so that the KurrentDB backend
// (store/kurrent) and the programs wired on it (cmd/spoor) can be tested in
// every run, over the real client and the real wire protocol, without a
// KurrentDB node; like net/http/httptest, it is for tests only. It keeps
// everything in memory and follows the server's semantics as far as Spoor
// relies on them:
//
//   - expected revisions (any, no stream, stream exists, exact) with the
//     server's wrong-expected-version append result and its idempotent
//     success when a retried append's ids are already at the expected
//     revision;
//   - 0-based stream revisions; $all positions that are byte offsets of
//     records in one log (commit = prepare for every event, as KurrentDB
//     reports self-committed events), starting with system records;
//   - reads of $all from a position that is not the start of a record fail
//     with InvalidArgument, as the server's "invalid position";
//   - a stream that never had events is a StreamNotFound read result; a
//     tombstoned stream is a stream-deleted error (FailedPrecondition with
//     the exception trailers the client parses) on read and append;
//   - subscriptions to $all: confirmation, catch-up from Start or after a
//     position, server-side stream/event-type filters with checkpoints,
//     caught-up, then live events as they are written;
//   - the "created" system metadata (ticks since the Unix epoch) on every
//     event, which the client requires.
//
// It is not KurrentDB: no cluster, no persistence, no ACLs, no stream
// metadata ($maxCount, $tb), no soft delete, no projections, no scavenge.
// Test hooks: RewriteData (an attacker rewriting stored bytes),
// FailConnections and FailRPCs (the node unreachable or going away),
// DropSubscriptions (a network cut), AppendSystemEvent, TombstoneStream
// (an operator's hard delete), SetMaxAppendSize; Raw and Tombstoned inspect
// what is stored, WrongExpectedVersions counts refused appends. A Server is
// safe for concurrent use.
package kurrenttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Record is one record of the double's log, as Raw returns it.
type Record struct {
	Position    uint64 // commit (= prepare) position in $all: a byte offset
	Stream      string
	Revision    uint64 // 0-based revision in Stream
	ID          uuid.UUID
	Type        string
	ContentType string
	Data        []byte
	Metadata    []byte // the custom metadata, as the client sent it
	Created     int64  // .NET ticks (100 ns) since the Unix epoch
}

type streamState struct {
	recs       []int // indexes into log, by revision
	tombstoned bool
}

// Server is the protocol double of one KurrentDB node. Its methods are safe
// for concurrent use.
type Server struct {
	srv  *grpc.Server
	addr string

	mu       sync.Mutex
	maxLen   int // largest total append size accepted, as the server's MaxAppendSize
	recs     []Record
	byPos    map[uint64]int
	next     uint64 // position of the next record
	streams  map[string]*streamState
	changed  chan struct{} // closed and replaced on every write
	failNext int           // GetSupportedMethods calls still to fail
	failRPC  int           // Read and Append calls still to fail
	cut      chan struct{} // closed to drop every running subscription
	features int           // GetSupportedMethods calls seen
	wrongExp int           // appends answered with wrong expected version

	streams.UnimplementedStreamsServer
	serverfeatures.UnimplementedServerFeaturesServer
}

// NewServer starts a double on a loopback port (127.0.0.1, a free port); it
// stops at t's cleanup. opts are gRPC server options (TLS, interceptors).
// It fails t if it cannot listen.
func NewServer(t testing.TB, opts ...grpc.ServerOption) *Server {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("kurrenttest: listen: %v", err)
	}
	d := &Server{
		addr:    lis.Addr().String(),
		maxLen:  16 << 20,
		byPos:   map[uint64]int{},
		streams: map[string]*streamState{},
		changed: make(chan struct{}),
		cut:     make(chan struct{}),
	}
	d.srv = grpc.NewServer(opts...)
	streams.RegisterStreamsServer(d.srv, d)
	serverfeatures.RegisterServerFeaturesServer(d.srv, d)
	// A fresh KurrentDB log starts with system records.
	d.AppendSystemEvent("$epochs", "$epoch-information")
	d.AppendSystemEvent("$settings", "$settings")
	go func() { _ = d.srv.Serve(lis) }()
	t.Cleanup(d.srv.Stop)
	return d
}

// Addr is the double's host:port.
func (d *Server) Addr() string { return d.addr }

// URL is the single-node, plain-text connection string of the double, with
// short discovery settings (one attempt), so a test that stops it fails
// fast.
func (d *Server) URL() string {
	return "kurrentdb://" + d.addr + "?tls=false&maxDiscoverAttempts=1&discoveryInterval=10&gossipTimeout=2"
}

// SetMaxAppendSize sets the largest total size of one append's events
// (data, custom metadata and type) the double accepts, as the server's
// MaxAppendSize (default 16 MiB); larger appends fail with InvalidArgument.
func (d *Server) SetMaxAppendSize(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.maxLen = n
}

// TombstoneStream hard-deletes a stream as an operator would, whatever its
// revision: later reads and appends find it deleted. Tombstoning a
// tombstoned stream does nothing.
func (d *Server) TombstoneStream(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.stream(name)
	if st.tombstoned {
		return
	}
	d.write(name, st, uuid.New(), "$streamDeleted", "application/octet-stream", nil, nil)
	st.tombstoned = true
}

// Tombstoned reports whether the stream is tombstoned (hard-deleted).
func (d *Server) Tombstoned(name string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.streams[name]
	return st != nil && st.tombstoned
}

// FailConnections makes the next n connection attempts (the client's
// server-features call, which opens every connection) fail with
// Unavailable, as an unreachable node would.
func (d *Server) FailConnections(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failNext = n
}

// FailRPCs makes the next n Read or Append calls fail with Unavailable, as
// a node going away does.
func (d *Server) FailRPCs(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.failRPC = n
}

// failing consumes one FailRPCs failure, if any is left.
func (d *Server) failing() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failRPC > 0 {
		d.failRPC--
		return status.Error(codes.Unavailable, "kurrenttest: node went away (test hook)")
	}
	return nil
}

// DropSubscriptions ends every running $all subscription with
// Unavailable, as a node restart or a network cut would.
func (d *Server) DropSubscriptions() {
	d.mu.Lock()
	defer d.mu.Unlock()
	close(d.cut)
	d.cut = make(chan struct{})
}

// ConnectionAttempts is how many connection attempts the double has seen.
func (d *Server) ConnectionAttempts() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.features
}

// WrongExpectedVersions is how many appends the double has answered with
// wrong expected version: the optimistic-concurrency conflicts it resolved
// (by refusing the later writer).
func (d *Server) WrongExpectedVersions() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.wrongExp
}

// RewriteData replaces the data of the record at position, behind every
// client's back.
func (d *Server) RewriteData(position uint64, data []byte) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	i, ok := d.byPos[position]
	if !ok {
		return fmt.Errorf("kurrenttest: no Record at position %d", position)
	}
	d.recs[i].Data = append([]byte(nil), data...)
	return nil
}

// AppendSystemEvent writes a system record (a $-stream, a $-type), as the
// server does for statistics, epochs and settings.
func (d *Server) AppendSystemEvent(stream, typ string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.stream(stream)
	d.write(stream, st, uuid.New(), typ, "application/json", []byte(`{}`), nil)
}

// Raw returns a copy of the record of stream's event at revision rev (0-based),
// and whether it exists.
func (d *Server) Raw(stream string, rev uint64) (Record, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.streams[stream]
	if st == nil || rev >= uint64(len(st.recs)) {
		return Record{}, false
	}
	r := d.recs[st.recs[rev]]
	r.Data = append([]byte(nil), r.Data...)
	r.Metadata = append([]byte(nil), r.Metadata...)
	return r, true
}

func (d *Server) stream(name string) *streamState {
	st := d.streams[name]
	if st == nil {
		st = &streamState{}
		d.streams[name] = st
	}
	return st
}

// write appends one record; d.mu is held.
func (d *Server) write(stream string, st *streamState, id uuid.UUID, typ, ct string, data, meta []byte) Record {
	r := Record{
		Position:    d.next,
		Stream:      stream,
		Revision:    uint64(len(st.recs)),
		ID:          id,
		Type:        typ,
		ContentType: ct,
		Data:        append([]byte(nil), data...),
		Metadata:    append([]byte(nil), meta...),
		Created:     time.Now().UnixNano() / 100,
	}
	// Records take room in the log as on disk: a header plus the strings
	// and the payload, so positions are sparse byte offsets.
	d.next += uint64(80 + len(stream) + len(typ) + len(data) + len(meta))
	d.byPos[r.Position] = len(d.recs)
	st.recs = append(st.recs, len(d.recs))
	d.recs = append(d.recs, r)
	close(d.changed)
	d.changed = make(chan struct{})
	return r
}

// GetSupportedMethods implements the server-features service.
func (d *Server) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.features++
	if d.failNext > 0 {
		d.failNext--
		return nil, status.Error(codes.Unavailable, "kurrenttest: node unreachable (test hook)")
	}
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: "25.0.0",
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: svc, MethodName: "read"},
			{ServiceName: svc, MethodName: "append"},
			{ServiceName: svc, MethodName: "tombstone"},
		},
	}, nil
}

func streamDeleted(ctx context.Context, name string) error {
	_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "stream-deleted", "stream-name", name))
	return status.Errorf(codes.FailedPrecondition, "Event stream '%s' is deleted.", name)
}

// Append implements the streams service's Append.
func (d *Server) Append(srv streams.Streams_AppendServer) error {
	if err := d.failing(); err != nil {
		return err
	}
	first, err := srv.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "kurrenttest: first append message must be options")
	}
	name := string(opts.GetStreamIdentifier().GetStreamName())
	d.mu.Lock()
	maxLen := d.maxLen
	d.mu.Unlock()
	var msgs []*streams.AppendReq_ProposedMessage
	size := 0
	for {
		m, err := srv.Recv()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		pm := m.GetProposedMessage()
		if pm == nil {
			return status.Error(codes.InvalidArgument, "kurrenttest: expected a proposed message")
		}
		for _, k := range []string{"type", "content-type"} {
			if _, ok := pm.Metadata[k]; !ok {
				return status.Errorf(codes.InvalidArgument, "Required Metadata Property '%s' is missing", k)
			}
		}
		size += len(pm.Data) + len(pm.CustomMetadata) + len(pm.Metadata["type"])
		if size > maxLen {
			return status.Errorf(codes.InvalidArgument, "Maximum Append Size of %d Exceeded.", maxLen)
		}
		msgs = append(msgs, pm)
	}
	ids := make([]uuid.UUID, len(msgs))
	for i, pm := range msgs {
		s := pm.GetId().GetStructured()
		if s == nil {
			return status.Error(codes.InvalidArgument, "kurrenttest: event id must be a structured UUID")
		}
		var b [16]byte
		for j := 0; j < 8; j++ {
			b[j] = byte(uint64(s.MostSignificantBits) >> (56 - 8*j))
			b[8+j] = byte(uint64(s.LeastSignificantBits) >> (56 - 8*j))
		}
		ids[i] = uuid.UUID(b)
	}

	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.stream(name)
	if st.tombstoned {
		return streamDeleted(srv.Context(), name)
	}
	current := int64(len(st.recs)) - 1 // -1: no stream
	// idempotent reports whether the events are already stored from
	// revision at on, as the server's idempotency check finds them.
	idempotent := func(at int64) bool {
		if at < 0 || at+int64(len(ids)) > current+1 {
			return false
		}
		for i, id := range ids {
			if d.recs[st.recs[at+int64(i)]].ID != id {
				return false
			}
		}
		return true
	}
	ok := false
	var wev streams.AppendResp_WrongExpectedVersion
	switch e := opts.ExpectedStreamRevision.(type) {
	case *streams.AppendReq_Options_Any:
		ok = true
		if len(ids) > 0 {
			for r := int64(0); r <= current; r++ {
				if d.recs[st.recs[r]].ID == ids[0] && idempotent(r) {
					return srv.SendAndClose(idempotentResp(r + int64(len(ids)) - 1))
				}
			}
		}
		wev.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: &shared.Empty{}}
	case *streams.AppendReq_Options_NoStream:
		ok = current == -1
		if !ok && idempotent(0) {
			return srv.SendAndClose(idempotentResp(int64(len(ids)) - 1))
		}
		wev.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: &shared.Empty{}}
	case *streams.AppendReq_Options_StreamExists:
		ok = current >= 0
		wev.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: &shared.Empty{}}
	case *streams.AppendReq_Options_Revision:
		ok = int64(e.Revision) == current
		if !ok && int64(e.Revision) < current && idempotent(int64(e.Revision)+1) {
			return srv.SendAndClose(idempotentResp(int64(e.Revision) + int64(len(ids))))
		}
		wev.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: e.Revision}
	default:
		return status.Error(codes.InvalidArgument, "kurrenttest: expected revision missing")
	}
	if !ok {
		d.wrongExp++
		if current < 0 {
			wev.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: &shared.Empty{}}
		} else {
			wev.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: uint64(current)}
		}
		return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{WrongExpectedVersion: &wev}})
	}
	if len(msgs) == 0 {
		return srv.SendAndClose(idempotentResp(current))
	}
	var last Record
	for i, pm := range msgs {
		last = d.write(name, st, ids[i], pm.Metadata["type"], pm.Metadata["content-type"], pm.Data, pm.CustomMetadata)
	}
	return srv.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: &streams.AppendResp_Success{
		CurrentRevisionOption: &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last.Revision},
		PositionOption: &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: last.Position, PreparePosition: last.Position,
		}},
	}}})
}

// idempotentResp is the server's answer to an append whose events were all
// written before: success at their revision, position not reported.
func idempotentResp(rev int64) *streams.AppendResp {
	s := &streams.AppendResp_Success{PositionOption: &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}}
	if rev < 0 {
		s.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
	} else {
		s.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: uint64(rev)}
	}
	return &streams.AppendResp{Result: &streams.AppendResp_Success_{Success: s}}
}

// Tombstone implements the streams service's Tombstone (hard delete).
func (d *Server) Tombstone(ctx context.Context, req *streams.TombstoneReq) (*streams.TombstoneResp, error) {
	opts := req.GetOptions()
	name := string(opts.GetStreamIdentifier().GetStreamName())
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.stream(name)
	if st.tombstoned {
		return nil, streamDeleted(ctx, name)
	}
	current := int64(len(st.recs)) - 1
	ok := true
	switch e := opts.ExpectedStreamRevision.(type) {
	case *streams.TombstoneReq_Options_NoStream:
		ok = current == -1
	case *streams.TombstoneReq_Options_StreamExists:
		ok = current >= 0
	case *streams.TombstoneReq_Options_Revision:
		ok = int64(e.Revision) == current
	}
	if !ok {
		_ = grpc.SetTrailer(ctx, metadata.Pairs("exception", "wrong-expected-version", "stream-name", name))
		return nil, status.Errorf(codes.FailedPrecondition, "Delete failed due to WrongExpectedVersion. Stream: %s", name)
	}
	r := d.write(name, st, uuid.New(), "$streamDeleted", "application/octet-stream", nil, nil)
	st.tombstoned = true
	return &streams.TombstoneResp{PositionOption: &streams.TombstoneResp_Position_{Position: &streams.TombstoneResp_Position{
		CommitPosition: r.Position, PreparePosition: r.Position,
	}}}, nil
}

// event renders a record as the server sends it.
func event(r Record) *streams.ReadResp {
	var most, least uint64
	for j := 0; j < 8; j++ {
		most = most<<8 | uint64(r.ID[j])
		least = least<<8 | uint64(r.ID[8+j])
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: int64(most), LeastSignificantBits: int64(least)}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.Stream)},
			StreamRevision:   r.Revision,
			PreparePosition:  r.Position,
			CommitPosition:   r.Position,
			Metadata: map[string]string{
				"type":         r.Type,
				"content-type": r.ContentType,
				"created":      fmt.Sprint(r.Created),
			},
			CustomMetadata: r.Metadata,
			Data:           r.Data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.Position},
	}}}
}

// Read implements the streams service's Read: stream reads, $all reads and
// $all subscriptions.
func (d *Server) Read(req *streams.ReadReq, srv streams.Streams_ReadServer) error {
	if err := d.failing(); err != nil {
		return err
	}
	opts := req.GetOptions()
	if opts.GetUuidOption() == nil {
		return status.Error(codes.InvalidArgument, "'uuidOption' is a required argument")
	}
	backwards := opts.GetReadDirection() == streams.ReadReq_Options_Backwards
	count := opts.GetCount()
	sub := opts.GetSubscription() != nil
	match, err := filterOf(opts.GetFilter())
	if err != nil {
		return err
	}
	if so := opts.GetStream(); so != nil {
		if sub {
			return status.Error(codes.Unimplemented, "kurrenttest: this double serves subscriptions to $all only, not to a single stream")
		}
		return d.readStream(srv, so, backwards, count)
	}
	all := opts.GetAll()
	if all == nil {
		return status.Error(codes.InvalidArgument, "kurrenttest: read needs a stream or $all")
	}
	if sub {
		if backwards {
			return status.Error(codes.InvalidArgument, "kurrenttest: subscriptions read forwards")
		}
		return d.subscribeAll(srv, all, match)
	}
	return d.readAll(srv, all, backwards, count, match)
}

func (d *Server) readStream(srv streams.Streams_ReadServer, so *streams.ReadReq_Options_StreamOptions, backwards bool, count uint64) error {
	name := string(so.GetStreamIdentifier().GetStreamName())
	d.mu.Lock()
	st := d.streams[name]
	if st != nil && st.tombstoned {
		d.mu.Unlock()
		return streamDeleted(srv.Context(), name)
	}
	if st == nil || len(st.recs) == 0 {
		d.mu.Unlock()
		return srv.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)},
		}}})
	}
	n := int64(len(st.recs))
	var out []Record
	if !backwards {
		from := int64(0)
		switch {
		case so.GetEnd() != nil:
			from = n
		case so.GetStart() != nil:
		default:
			from = int64(min(so.GetRevision(), uint64(n)))
		}
		for r := from; r < n && uint64(len(out)) < count; r++ {
			out = append(out, d.recs[st.recs[r]])
		}
	} else {
		from := n - 1
		if so.GetStart() != nil {
			from = 0
		} else if so.GetEnd() == nil && so.GetRevision() < uint64(n) {
			from = int64(so.GetRevision())
		}
		for r := from; r >= 0 && uint64(len(out)) < count; r-- {
			out = append(out, d.recs[st.recs[r]])
		}
	}
	d.mu.Unlock()
	for _, r := range out {
		if err := srv.Send(event(r)); err != nil {
			return err
		}
	}
	return nil
}

// index returns the log index of an $all position: the record at it, or
// len(log) for the end of the log. Any other position is invalid, as on
// the server, which can only read from the start of a record.
func (d *Server) index(p *streams.ReadReq_Options_Position) (int, error) {
	if p.GetCommitPosition() != p.GetPreparePosition() {
		return 0, status.Error(codes.InvalidArgument, "Trying to read from an invalid position.")
	}
	if p.GetCommitPosition() == d.next {
		return len(d.recs), nil
	}
	i, ok := d.byPos[p.GetCommitPosition()]
	if !ok {
		return 0, status.Error(codes.InvalidArgument, "Trying to read from an invalid position.")
	}
	return i, nil
}

func (d *Server) readAll(srv streams.Streams_ReadServer, all *streams.ReadReq_Options_AllOptions, backwards bool, count uint64, match func(Record) bool) error {
	d.mu.Lock()
	var out []Record
	if !backwards {
		from := 0
		switch {
		case all.GetEnd() != nil:
			from = len(d.recs)
		case all.GetStart() != nil:
		default:
			i, err := d.index(all.GetPosition())
			if err != nil {
				d.mu.Unlock()
				return err
			}
			from = i
		}
		for i := from; i < len(d.recs) && uint64(len(out)) < count; i++ {
			if match(d.recs[i]) {
				out = append(out, d.recs[i])
			}
		}
	} else {
		from := len(d.recs) - 1
		switch {
		case all.GetStart() != nil:
			from = -1
		case all.GetEnd() != nil:
		default:
			i, err := d.index(all.GetPosition())
			if err != nil {
				d.mu.Unlock()
				return err
			}
			from = i - 1 // backwards reads return what lies before the position
		}
		for i := from; i >= 0 && uint64(len(out)) < count; i-- {
			if match(d.recs[i]) {
				out = append(out, d.recs[i])
			}
		}
	}
	d.mu.Unlock()
	for _, r := range out {
		if err := srv.Send(event(r)); err != nil {
			return err
		}
	}
	return nil
}

// checkpointEvery is how many scanned records a filtered subscription
// passes between checkpoints (the client's default search window).
const checkpointEvery = 32

func (d *Server) subscribeAll(srv streams.Streams_ReadServer, all *streams.ReadReq_Options_AllOptions, match func(Record) bool) error {
	d.mu.Lock()
	next := 0 // log index of the next record to consider
	switch {
	case all.GetStart() != nil:
	case all.GetEnd() != nil:
		next = len(d.recs)
	default:
		i, err := d.index(all.GetPosition())
		if err != nil {
			d.mu.Unlock()
			return err
		}
		next = i + 1 // subscriptions deliver what comes after the position
		if i == len(d.recs) {
			next = i
		}
	}
	d.mu.Unlock()
	if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{Confirmation: &streams.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString(),
	}}}); err != nil {
		return err
	}
	caughtUp := false
	scanned := 0
	for {
		d.mu.Lock()
		batch := append([]Record(nil), d.recs[next:]...)
		changed, cut := d.changed, d.cut
		d.mu.Unlock()
		next += len(batch)
		for _, r := range batch {
			scanned++
			if match(r) {
				if err := srv.Send(event(r)); err != nil {
					return err
				}
			}
			if scanned%checkpointEvery == 0 {
				if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
					CommitPosition: r.Position, PreparePosition: r.Position,
				}}}); err != nil {
					return err
				}
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := srv.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-srv.Context().Done():
			return srv.Context().Err()
		case <-changed:
		case <-cut:
			return status.Error(codes.Unavailable, "kurrenttest: subscription dropped (test hook)")
		}
	}
}

// filterOf builds the matcher of a $all filter (nil: everything).
func filterOf(f *streams.ReadReq_Options_FilterOptions) (func(Record) bool, error) {
	if f == nil {
		return func(Record) bool { return true }, nil
	}
	var expr *streams.ReadReq_Options_FilterOptions_Expression
	var field func(Record) string
	switch {
	case f.GetStreamIdentifier() != nil:
		expr, field = f.GetStreamIdentifier(), func(r Record) string { return r.Stream }
	case f.GetEventType() != nil:
		expr, field = f.GetEventType(), func(r Record) string { return r.Type }
	default:
		return nil, status.Error(codes.InvalidArgument, "kurrenttest: filter needs a stream or event type expression")
	}
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "kurrenttest: filter regex: %v", err)
		}
		return func(r Record) bool { return re.MatchString(field(r)) }, nil
	}
	prefixes := expr.GetPrefix()
	return func(r Record) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(field(r), p) {
				return true
			}
		}
		return false
	}, nil
}
