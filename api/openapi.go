package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.0 document of the JSON API. A test keeps it
// true: every route of the router is in it and every path in it is a route.
//
//go:embed openapi.yaml
var openAPIDoc []byte

// OpenAPI returns the OpenAPI document (a copy).
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDoc)
	return nil
}
