package inputs

import (
	"context"
	"testing"

	"github.com/eksboot/eksboot/imds"
	"github.com/eksboot/eksboot/test/imdsmock"
	"github.com/eksboot/eksboot/test/userdata"
)

func TestUserDataNodeConfigFromIMDSMock(t *testing.T) {
	inst := imdsmock.Default()
	inst.UserData = userdata.Multipart(userdata.MIMEVersion, "==BOUNDARY==", shellPart, "Content-Type: application/node.eks.aws\r\n\r\n"+nodeConfigDoc)
	v, _, _, err := Gather(context.Background(), Values{FlagConfig: {UserDataSource}, FlagClusterName: {"flag-wins"}, FlagIMDSEndpoint: {imdsmock.Start(t, inst)}}, func(string) string { return "" }, true)
	if err != nil {
		t.Fatal(err)
	}
	if v.Get(FlagClusterName) != "flag-wins" || v.Get(FlagEndpoint) != "https://abc.gr7.eu-west-1.eks.amazonaws.com" || v.Get(FlagServiceCIDR) != "10.100.0.0/16" {
		t.Fatalf("got %v", v)
	}
}

func TestUserDataWithoutNodeConfig(t *testing.T) {
	inst := imdsmock.Default()
	inst.UserData = []byte("#!/bin/bash\necho hello\n")
	md := imds.New(imdsmock.Start(t, inst))
	_, _, err := ConfigSource(context.Background(), UserDataSource, true, md)
	wantInputError(t, err, FlagConfig, "has no NodeConfig")
}
