package api

import (
	"bufio"
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// documentedRoutes scans openapi.yaml for "METHOD path" pairs: the keys
// indented by two spaces under the top-level paths: key, and their method
// keys indented by four. It needs no YAML library because the document keeps
// that layout (the test fails loudly if it does not).
func documentedRoutes(t *testing.T, doc []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	inPaths := false
	path := ""
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case indent == 0:
			inPaths = trimmed == "paths:"
		case !inPaths:
		case indent == 2:
			if !strings.HasSuffix(trimmed, ":") || !strings.HasPrefix(trimmed, "/") {
				t.Fatalf("openapi.yaml: unexpected line under paths: %q", line)
			}
			path = strings.TrimSuffix(trimmed, ":")
		case indent == 4:
			key := strings.TrimSuffix(strings.SplitN(trimmed, ":", 2)[0], ":")
			switch key {
			case "get", "put", "post", "delete", "patch", "head", "options":
				out[strings.ToUpper(key)+" "+path] = true
			case "parameters", "summary", "description":
			default:
				t.Fatalf("openapi.yaml: unexpected key %q under %s", key, path)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("openapi.yaml: no routes found")
	}
	return out
}

// routerRoutes walks the router for "METHOD template" pairs.
func routerRoutes(t *testing.T, r *mux.Router) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil // a route without a path (none today)
		}
		methods, err := route.GetMethods()
		if err != nil {
			t.Errorf("route %s has no method restriction", tpl)
			return nil
		}
		for _, m := range methods {
			out[m+" "+tpl] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenAPIMatchesRouter(t *testing.T) {
	e := newEnv(t, nil)
	doc := documentedRoutes(t, OpenAPI())
	routes := routerRoutes(t, e.server.Router())
	var missing, stale []string
	for r := range routes {
		if !doc[r] {
			missing = append(missing, r)
		}
	}
	for r := range doc {
		if !routes[r] {
			stale = append(stale, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes not in openapi.yaml: %v", missing)
	}
	if len(stale) > 0 {
		t.Errorf("openapi.yaml documents routes that do not exist: %v", stale)
	}
	if len(routes) < 9 {
		t.Errorf("only %d routes found: %v", len(routes), routes)
	}
}

func TestOpenAPICheckFindsDrift(t *testing.T) {
	e := newEnv(t, func(s *Server) {
		s.Handle("GET", "/api/v1/undocumented", Authenticated(), nil)
	})
	doc := documentedRoutes(t, OpenAPI())
	routes := routerRoutes(t, e.server.Router())
	if !routes["GET /api/v1/undocumented"] || doc["GET /api/v1/undocumented"] {
		t.Fatal("the walk does not see an added route, or the document scan invents one")
	}
}
