package awssim

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const registryHost = ImageAccount + ".dkr.ecr.eu-west-1.amazonaws.com"

func newAWS() *AWS {
	a := &AWS{Region: "eu-west-1", Account: "111122223333", Role: "node", Session: "i-1", Managed: NodePolicies}
	a.tokens = map[string]bool{"password": true}
	return a
}

func ask(a *AWS, method, url string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	if strings.Contains(url, ".dkr.ecr.") {
		req.SetBasicAuth("AWS", "password")
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, req)
	return w
}

// Every digest and size the image names is the sha256 and length of the
// bytes served for it, and each layer is a gzipped tar: what skopeo and
// containerd check.
func TestPauseImageIsContentAddressed(t *testing.T) {
	if got := digest(pause.index); got != pause.indexDigest {
		t.Fatalf("index digest %s, bytes %s", pause.indexDigest, got)
	}
	var index struct{ Manifests []descriptor }
	if err := json.Unmarshal(pause.index, &index); err != nil || len(index.Manifests) != 2 {
		t.Fatalf("index: %v, %d manifests", err, len(index.Manifests))
	}
	check := func(d descriptor, body []byte) {
		t.Helper()
		if body == nil || digest(body) != d.Digest || len(body) != d.Size {
			t.Errorf("%s (%s): %d bytes served, digest %s", d.Digest, d.MediaType, len(body), digest(body))
		}
	}
	for _, m := range index.Manifests {
		body := pause.manifests[m.Digest]
		check(m, body)
		var man struct {
			Config descriptor
			Layers []descriptor
		}
		if err := json.Unmarshal(body, &man); err != nil || len(man.Layers) == 0 {
			t.Fatalf("manifest %s: %v", m.Digest, err)
		}
		check(man.Config, pause.blobs[man.Config.Digest])
		for _, l := range man.Layers {
			check(l, pause.blobs[l.Digest])
			zr, err := gzip.NewReader(bytes.NewReader(pause.blobs[l.Digest]))
			if err != nil {
				t.Fatalf("layer %s: %v", l.Digest, err)
			}
			if _, err := tar.NewReader(zr).Next(); err != nil {
				t.Errorf("layer %s is not a tar: %v", l.Digest, err)
			}
		}
	}
}

// A refused caller learns nothing of what exists: the policies decide
// before the repository is looked up, and an unknown repository's error
// names the repository alone.
func TestRegistryDecidesBeforeLookingUp(t *testing.T) {
	a := newAWS()
	w := ask(a, "GET", "https://"+registryHost+"/v2/eks/other/manifests/latest", nil)
	if w.Code != 404 || !strings.Contains(w.Body.String(), `"NAME_UNKNOWN"`) || !strings.Contains(w.Body.String(), "name 'eks/other' does not exist") {
		t.Errorf("unknown repository: %d %s", w.Code, w.Body)
	}
	a.Repository = &Policy{}
	w = ask(a, "GET", "https://"+registryHost+"/v2/eks/other/manifests/latest", nil)
	if w.Code != 403 || !strings.Contains(w.Body.String(), `"DENIED"`) || !strings.Contains(w.Body.String(), "no resource-based policy allows the ecr:BatchGetImage action") {
		t.Errorf("unknown repository, refused: %d %s", w.Code, w.Body)
	}
}

// tags/list needs ecr:ListImages: the read-only policy has it, the
// pull-only policy does not.
func TestRegistryListsTags(t *testing.T) {
	a := newAWS()
	w := ask(a, "GET", "https://"+registryHost+"/v2/eks/pause/tags/list", nil)
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"name":"eks/pause","tags":["3.5"]}` {
		t.Errorf("tags/list: %d %s", w.Code, w.Body)
	}
	a.Managed = []string{"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"}
	if w := ask(a, "GET", "https://"+registryHost+"/v2/eks/pause/tags/list", nil); w.Code != 403 || !strings.Contains(w.Body.String(), "ecr:ListImages") {
		t.Errorf("tags/list, pull only: %d %s", w.Code, w.Body)
	}
	if w := ask(a, "GET", "https://"+registryHost+"/v2/eks/pause/manifests/3.5", nil); w.Code != 200 {
		t.Errorf("manifest, pull only: %d %s", w.Code, w.Body)
	}
}

// The layer URL ECR redirects to answers a GET of one range as S3 does,
// and nothing else it was not presigned for.
func TestLayerURLIsPresignedForGET(t *testing.T) {
	a := newAWS()
	now := time.Now()
	a.Now = func() time.Time { return now }
	var man struct{ Layers []descriptor }
	json.Unmarshal(pause.manifests[digestFor(t, "amd64")], &man)
	layer := man.Layers[0]
	w := ask(a, "GET", "https://"+registryHost+"/v2/eks/pause/blobs/"+layer.Digest, nil)
	location := w.Header().Get("Location")
	if w.Code != http.StatusTemporaryRedirect || !strings.HasPrefix(location, "https://"+LayerBucket("eu-west-1")+".s3.eu-west-1.amazonaws.com/") {
		t.Fatalf("blob: %d %q", w.Code, location)
	}

	w = ask(a, "GET", location, http.Header{"Range": {"bytes=0-9"}})
	body, _ := io.ReadAll(w.Body)
	if w.Code != 206 || w.Header().Get("Content-Range") != "bytes 0-9/"+strconv.Itoa(layer.Size) || !bytes.Equal(body, pause.blobs[layer.Digest][:10]) || w.Header().Get("ETag") == "" {
		t.Errorf("one range: %d %q %q", w.Code, w.Header().Get("Content-Range"), w.Header().Get("ETag"))
	}
	if w := ask(a, "GET", location, http.Header{"Range": {"bytes=0-1,5-9"}}); w.Code != 200 || w.Body.Len() != layer.Size {
		t.Errorf("two ranges: %d, %d bytes", w.Code, w.Body.Len())
	}
	if w := ask(a, "GET", location, http.Header{"Range": {"bytes=99999999-"}}); w.Code != 416 || !strings.Contains(w.Body.String(), "<Code>InvalidRange</Code>") {
		t.Errorf("past the end: %d %s", w.Code, w.Body)
	}
	if w := ask(a, "HEAD", location, nil); w.Code != 403 {
		t.Errorf("HEAD of a URL presigned for GET: %d", w.Code)
	}
	if w := ask(a, "GET", strings.Replace(location, "X-Amz-Signature=", "X-Amz-Signature=0", 1), nil); w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("another signature: %d %s", w.Code, w.Body)
	}
	if w := ask(a, "GET", location, http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=x"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>InvalidArgument</Code>") {
		t.Errorf("presigned and Authorization: %d %s", w.Code, w.Body)
	}
	if w := ask(a, "GET", location+"&x-id=GetObject", nil); w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("a parameter added: %d %s", w.Code, w.Body)
	}
	bare, _, _ := strings.Cut(location, "?")
	if w := ask(a, "GET", bare, nil); w.Code != 403 || !strings.Contains(w.Body.String(), "<Message>Access Denied</Message>") {
		t.Errorf("anonymous: %d %s", w.Code, w.Body)
	}
	now = now.Add(-10 * time.Minute)
	if w := ask(a, "GET", location, nil); w.Code != 403 || !strings.Contains(w.Body.String(), "Request is not yet valid") {
		t.Errorf("not yet valid: %d %s", w.Code, w.Body)
	}
	now = now.Add(10 * time.Minute)
	now = now.Add(21 * time.Minute)
	if w := ask(a, "GET", location, nil); w.Code != 403 || !strings.Contains(w.Body.String(), "<Code>AccessDenied</Code><Message>Request has expired</Message>") {
		t.Errorf("expired: %d %s", w.Code, w.Body)
	}
}

func digestFor(t *testing.T, arch string) string {
	var index struct {
		Manifests []struct {
			Digest   string
			Platform struct{ Architecture string }
		}
	}
	json.Unmarshal(pause.index, &index)
	for _, m := range index.Manifests {
		if m.Platform.Architecture == arch {
			return m.Digest
		}
	}
	t.Fatalf("no %s manifest", arch)
	return ""
}
