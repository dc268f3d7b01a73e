package imds

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// These tests run AWS's amazon-ec2-metadata-mock in IMDSv2-only mode.

// TestNoInstanceProfile: IMDS without iam/ is the identity check's finding,
// not an IMDS failure.
// TestCredentialsNeverPrint: every way of formatting facts hides the keys.
func TestCredentialsNeverPrint(t *testing.T) {
	c := &Credentials{AccessKeyID: "AKID", SecretAccessKey: "s3cr3t", SessionToken: "t0k3n"}
	f := Facts{Identity: Identity{Credentials: c}}
	for _, s := range []string{fmt.Sprint(f), fmt.Sprintf("%v %+v %#v %s", f, f, f, c), fmt.Sprintf("%#v", *c)} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "t0k3n") {
			t.Fatalf("printed: %s", s)
		}
	}
}

func TestIMDSAbsentIsQuick(t *testing.T) {
	md := New("http://127.0.0.1:1") // nothing listens on port 1
	start := time.Now()
	if _, err := md.Facts(context.Background()); err == nil {
		t.Fatal("facts from nowhere")
	}
	if elapsed := time.Since(start); elapsed > 2*CallTimeout {
		t.Fatalf("an absent IMDS took %v", elapsed) // a bound, not a speed target: each call is capped
	}
}

// hugeIMDS speaks IMDSv2 and answers every GET with size bytes.
func hugeIMDS(t *testing.T, size int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			w.Write([]byte("token"))
			return
		}
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for sent := 0; sent < size && r.Context().Err() == nil; sent += len(chunk) {
			w.Write(chunk)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestIMDSAnswersAreCapped: a 64 MiB identity document or user data is
// refused at the cap, where the HTTP body is read (the SDK would read it
// whole), not after.
func TestIMDSAnswersAreCapped(t *testing.T) {
	md := New(hugeIMDS(t, 64<<20))
	if _, err := md.Facts(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("facts: %v", err)
	}
	if _, err := md.UserData(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("user data: %v", err)
	}
	if _, err := New(hugeIMDS(t, 40<<10)).UserData(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 32 KiB") {
		t.Fatalf("40 KiB of user data: %v", err)
	}
}

// TestV1QuestionIsIMDSs: the IMDSv1 question goes through this package's
// client, which follows no redirect (and takes no proxy): an answer of
// 3xx is not IMDSv1 answering.
func TestV1QuestionIsIMDSs(t *testing.T) {
	var followed atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Store(true) }))
	defer elsewhere.Close()
	redirecting := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/latest/meta-data/instance-id", http.StatusFound))
	defer redirecting.Close()
	if New(redirecting.URL).AnswersV1(context.Background(), time.Second) || followed.Load() {
		t.Fatalf("a redirect counted as IMDSv1 (followed: %t)", followed.Load())
	}
	v1 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/latest/meta-data/instance-id" || r.Header.Get("X-Aws-Ec2-Metadata-Token") != "" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("i-0123456789abcdef0"))
	}))
	defer v1.Close()
	if !New(v1.URL).AnswersV1(context.Background(), time.Second) {
		t.Fatal("IMDSv1 answered, and was not heard")
	}
}
