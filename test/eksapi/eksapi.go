// Package eksapi is an API server that answers as EKS does today: since
// Kubernetes 1.32 anonymous requests reach only /healthz, /livez and
// /readyz, and everything else answers 401 without a token. Tokens are
// aws-iam-authenticator's; the caller supplies the verifier (the real one in
// the simulated VPC, an in-process one for Go tests) and an access-entry
// table maps the verified role to a Kubernetes user as EKS does.
package eksapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// CallerIdentity is what verifying a token yields: the STS caller, as
// aws-iam-authenticator's token.Identity has it.
type CallerIdentity struct {
	ARN          string // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	CanonicalARN string // arn:aws:iam::ACCOUNT:role/ROLE, no path: what mappings match
	Session      string // for an instance role, the instance ID
	AccountID    string
	UserID       string // the role's unique ID (AROA...), without the session
	AccessKeyID  string // the key that signed the token
}

// Server is the simulated API server.
type Server struct {
	// Version is /version's gitVersion, e.g. v1.33.5-eks-3025e55.
	Version string
	// AnonymousVersion answers /version and /api to anyone, as EKS did
	// before Kubernetes 1.32.
	AnonymousVersion bool
	// Verify checks a bearer token; an error means 401.
	Verify func(token string) (CallerIdentity, error)
	// Access maps identities to users; an unmapped identity gets 401.
	Access *AccessEntries
}

// UserInfo is authentication.k8s.io's user, as a SelfSubjectReview shows it.
type UserInfo struct {
	Username string              `json:"username"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

var healthPaths = map[string]bool{"/healthz": true, "/livez": true, "/readyz": true}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if healthPaths[r.URL.Path] {
		w.Write([]byte("ok"))
		return
	}
	user := s.authenticate(r)
	anonymousOK := s.AnonymousVersion && r.Method == http.MethodGet && (r.URL.Path == "/version" || r.URL.Path == "/api")
	if user == nil && !anonymousOK {
		status(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	review, inGroup := strings.CutPrefix(r.URL.Path, "/apis/authentication.k8s.io/")
	review, isReview := strings.CutSuffix(review, "/selfsubjectreviews")
	isReview = isReview && inGroup
	switch {
	case r.URL.Path == "/version":
		writeJSON(w, http.StatusOK, map[string]string{"major": "1", "minor": minor(s.Version), "gitVersion": s.Version, "platform": "linux/amd64"})
	case r.URL.Path == "/api": // discovery: system:discovery lets any authenticated user read it
		writeJSON(w, http.StatusOK, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}})
	case r.Method == http.MethodPost && isReview && s.servesReview(review):
		writeJSON(w, http.StatusCreated, map[string]any{"apiVersion": "authentication.k8s.io/" + review, "kind": "SelfSubjectReview",
			"metadata": map[string]any{"creationTimestamp": nil}, "status": map[string]any{"userInfo": user}})
	default:
		status(w, http.StatusNotFound, "NotFound")
	}
}

// authenticate returns the request's user, or nil for anonymous or refused.
func (s *Server) authenticate(r *http.Request) *UserInfo {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || s.Verify == nil || s.Access == nil {
		return nil
	}
	id, err := s.Verify(token)
	if err != nil {
		return nil
	}
	return s.Access.User(id)
}

// servesReview says whether the server's version serves SelfSubjectReview
// at apiVersion: v1 from Kubernetes 1.28, v1beta1 on 1.27 (current servers
// answer it 404), neither before. A version it cannot read is current.
func (s *Server) servesReview(apiVersion string) bool {
	m, err := strconv.Atoi(minor(s.Version))
	if err != nil {
		m = 99
	}
	switch apiVersion {
	case "v1":
		return m >= 28
	case "v1beta1":
		return m == 27
	}
	return false
}

func minor(version string) string {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func status(w http.ResponseWriter, code int, reason string) {
	writeJSON(w, code, map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": strings.ToLower(reason), "reason": reason, "code": code})
}
