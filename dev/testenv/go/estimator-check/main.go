// Command estimator-check asks a karmada-scheduler-estimator how many replicas of a shape fit
// in its member, the way karmada-scheduler's accurate-estimator client asks it: the
// request as JSON on stdin, {"address": "127.0.0.1:<port>", "cluster": "<name>",
// "requirements": <a binding's spec.replicaRequirements>}, {"maxReplicas": n} on stdout.
// testenv builds it with a generated go.mod requiring the pinned Karmada module.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	workv1alpha2 "github.com/karmada-io/karmada/pkg/apis/work/v1alpha2"
	"github.com/karmada-io/karmada/pkg/estimator/pb"
	estimatorservice "github.com/karmada-io/karmada/pkg/estimator/service"
)

type request struct {
	Address      string                           `json:"address"`
	Cluster      string                           `json:"cluster"`
	Requirements *workv1alpha2.ReplicaRequirements `json:"requirements"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "estimator-check:", err)
		os.Exit(1)
	}
}

func run() error {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	var in request
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("decoding the request: %w", err)
	}
	conn, err := grpc.NewClient(in.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing %s: %w", in.Address, err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := estimatorservice.NewEstimatorClient(conn).MaxAvailableReplicas(ctx, toRequest(in))
	if err != nil {
		return fmt.Errorf("MaxAvailableReplicas: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]int32{"maxReplicas": res.MaxReplicas})
}

// toRequest converts the binding's requirements as karmada-scheduler's accurate estimator
// client does.
func toRequest(in request) *pb.MaxAvailableReplicasRequest {
	req := &pb.MaxAvailableReplicasRequest{Cluster: in.Cluster}
	if r := in.Requirements; r != nil {
		req.ReplicaRequirements.ResourceRequest = r.ResourceRequest
		req.ReplicaRequirements.Namespace = r.Namespace
		req.ReplicaRequirements.PriorityClassName = r.PriorityClassName
		if r.NodeClaim != nil {
			req.ReplicaRequirements.NodeClaim = &pb.NodeClaim{
				NodeAffinity: r.NodeClaim.HardNodeAffinity,
				NodeSelector: r.NodeClaim.NodeSelector,
				Tolerations:  r.NodeClaim.Tolerations,
			}
		}
	}
	return req
}
