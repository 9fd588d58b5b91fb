// Command kstatus-check prints kstatus's verdict on one Kubernetes object, exactly as Flux's
// health checks compute it: the object as JSON on stdin, {"status": ..., "message": ...} on
// stdout. dev/health-checks builds it into its cache with a generated go.mod and runs it.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "kstatus-check:", err)
		os.Exit(1)
	}
}

func run() error {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	// Unstructured's decoder keeps integers as int64, as the API machinery delivers them to
	// Flux; kstatus reads generations with NestedInt64, which rejects encoding/json's float64.
	var obj unstructured.Unstructured
	if err := obj.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("decoding the object: %w", err)
	}
	res, err := status.Compute(&obj)
	if err != nil {
		return fmt.Errorf("computing status: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]string{
		"status":  res.Status.String(),
		"message": res.Message,
	})
}
